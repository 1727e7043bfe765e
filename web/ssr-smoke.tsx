import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { renderToString } from "react-dom/server";
import { MemoryRouter } from "react-router";
import { App } from "./src/app";
import { ToastProvider } from "./src/components/ui/toast";
import { keys } from "./src/lib/queries";

(globalThis as any).localStorage = { getItem: () => null, setItem: () => {} };
const pid = "p1", cid = "c1";
const now = new Date();
const iso = (ms: number) => new Date(now.getTime() - ms).toISOString();
const me = { user: { id: "u1", name: "Ada", email: "a@x" }, portfolios: [{ id: pid, name: "Acme", slug: "acme", role: "owner" }], next: null };
const conv = { id: cid, channelId: "ch1", platform: "whatsapp", customer: { id: "cu1", platformUserId: "4915112345678", profileName: "Maria" }, mode: "ai", unreadCount: 2, lastMessageAt: iso(60000), lastInboundAt: iso(60000), lastMessageText: "Hello there", attentionCode: "send_failed", attentionReason: "boom" };
const head = { conversation: { id: cid, mode: "ai", unreadCount: 0, lastMessageAt: iso(6e4), createdAt: iso(1e8), attention: { code: "reply_held", reason: "held", at: iso(1000) }, window: { lastInboundAt: iso(6e4), aiUntil: iso(-8e7), humanUntil: iso(-8e7), open: true, afterwards: "an approved message template" } }, customer: { id: "cu1", channelId: "ch1", platform: "whatsapp", platformUserId: "4915112345678", profileName: "Maria", firstSeenAt: iso(1e8), lastSeenAt: iso(6e4) }, channel: { id: "ch1", platform: "whatsapp", externalId: "123", displayName: "Shop" } };
const msg = (id: number, over: object) => ({ id, conversationId: cid, direction: "in", author: "customer", authorMemberId: null, kind: "text", text: "Hi", details: null, reaction: null, status: "received", errorCode: null, errorTitle: null, errorDetail: null, occurredAt: iso(1e5 - id), sentAt: null, deliveredAt: null, readAt: null, failedAt: null, deleted: false, ...over });
const messages = [msg(5, { direction: "out", author: "member", authorMemberId: "m1", status: "failed", errorTitle: "Window closed" }), msg(4, { direction: "out", author: "ai", status: "read", reaction: "❤️" }), msg(3, { kind: "image", text: null }), msg(2, { deleted: true }), msg(1, { kind: "system", text: "joined" })];
function qc() {
  const c = new QueryClient({ defaultOptions: { queries: { staleTime: Infinity, retry: false } } });
  c.setQueryData(keys.me, me);
  c.setQueryData([...keys.conversations(pid), {}], { pages: [{ conversations: [conv], nextCursor: "x" }], pageParams: [null] });
  c.setQueryData(keys.conversation(pid, cid), head);
  c.setQueryData(keys.messages(pid, cid), { pages: [{ messages, nextCursor: null }], pageParams: [null] });
  c.setQueryData(keys.members(pid), { members: [{ id: "m1", userId: "u1", name: "Ada", email: "a@x", githubLogin: "ada", role: "owner", joinedAt: iso(1e9) }], invitations: [{ id: "i1", email: null, githubLogin: "bob", role: "agent", inviterId: "u1", expiresAt: iso(-1e8), createdAt: iso(1) }] });
  c.setQueryData(keys.agent(pid), { agent: { name: "Ava", instructions: "Be nice", model: "gpt-4.1-mini", enabled: true, hasOwnOpenAiKey: true, openAiKeyHint: "…abcd", updatedAt: iso(1) }, models: ["gpt-4.1-mini"] });
  c.setQueryData(keys.channels(pid), { channels: [{ id: "ch1", platform: "whatsapp", externalId: "123", accountId: "9", displayName: "Shop", state: "needs_reauth", stateReason: "token expired", tokenExpiresAt: iso(-5e8), lastWebhookAt: iso(1), createdAt: iso(1e9), tokenHint: "…wxyz", hasAppSecret: false, hasVerifyToken: false, instagramLogin: null, errorsLast24h: 3 }] });
  c.setQueryData(keys.notes(pid, "cu1"), { notes: [{ id: "1", customerId: "cu1", author: { memberId: "m1", name: "Ada" }, body: "VIP", createdAt: iso(1), updatedAt: null }] });
  return c;
}
for (const path of ["/sign-in", "/welcome", `/p/${pid}/start`, `/p/${pid}/inbox`, `/p/${pid}/inbox/${cid}`, `/p/${pid}/inbox/${cid}/customer`, `/p/${pid}/settings/channels`, `/p/${pid}/settings/agent`, `/p/${pid}/settings/members`, `/p/${pid}/settings/business`, `/p/${pid}/playground`]) {
  const html = renderToString(<QueryClientProvider client={qc()}><ToastProvider><MemoryRouter initialEntries={[path]}><App /></MemoryRouter></ToastProvider></QueryClientProvider>);
  const text = html.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");
  console.log(path, html.length, "|", text.slice(0, 700), "\n");
}
