import { z } from "zod";
import { sendManualReply } from "../../../core/conversations/send-manual-reply.js";
import { setConversationMode } from "../../../core/conversations/set-mode.js";
import { AppError } from "../../../core/errors.js";
import { withLiveConversationEvents } from "../../../core/live/live-conversation-store.js";
import { PgConversationStore } from "../../../db/conversation-store.js";
import {
  type ConversationHead,
  decodeConversationCursor,
  getConversationHead,
  listConversationPage,
  listMessagePage,
  markConversationRead,
} from "../../../db/repositories/conversation-repository.js";
import { conversationModes } from "../../../db/schema/index.js";
import type { ApiDeps } from "../deps.js";
import { id } from "../params.js";
import { route } from "../route.js";
import { customerView } from "./customers.js";

const conversationParams = z.object({ portfolioId: id, conversationId: id });
const limit = (max: number) => z.coerce.number().int().min(1).max(max).default(50);

const listQuery = z
  .object({
    channelId: id.optional(),
    mode: z.enum(conversationModes).optional(),
    unread: z.enum(["true", "false"]).transform((v) => v === "true").optional(),
    q: z.string().trim().min(1, "must not be empty").max(200).optional(),
    cursor: z.string().max(500).refine((c) => decodeConversationCursor(c) !== undefined, "is not a cursor from this list").optional(),
    limit: limit(100),
  })
  .strict();

const messagesQuery = z
  .object({
    before: z.string().regex(/^\d{1,15}$/, "must be a nextCursor of this list").transform(Number).optional(),
    limit: limit(200),
  })
  .strict();

/** What a person may still send, from the channel's window rules and the customer's last message. */
function windowOf(head: ConversationHead, deps: ApiDeps) {
  const rules = deps.senders[head.channel.platform]?.window;
  const last = head.conversation.lastInboundAt;
  const until = (ms: number | undefined) => (last && ms !== undefined ? new Date(last.getTime() + ms) : null);
  const humanUntil = until(rules?.humanMs);
  return {
    lastInboundAt: last,
    aiUntil: until(rules?.aiMs),
    humanUntil,
    open: humanUntil !== null && humanUntil.getTime() >= deps.now().getTime(),
    afterwards: rules?.afterwards ?? null,
  };
}

function headView(head: ConversationHead, deps: ApiDeps) {
  const c = head.conversation;
  return {
    conversation: {
      id: c.id,
      mode: c.mode,
      unreadCount: c.unreadCount,
      lastMessageAt: c.lastMessageAt,
      createdAt: c.createdAt,
      attention: c.attentionCode ? { code: c.attentionCode, reason: c.attentionReason, at: c.attentionAt } : null,
      window: windowOf(head, deps),
    },
    customer: customerView(head.customer, head.channel.platform),
    channel: head.channel,
  };
}

/** The inbox: threads, one thread's messages, and what a person does in it. */
export function conversationRoutes(deps: ApiDeps) {
  // Replies and mode switches tell the live inbox themselves, after commit.
  const store = withLiveConversationEvents(new PgConversationStore(deps.db), deps.live);
  const mustFind = async (portfolioId: string, conversationId: string) => {
    const head = await getConversationHead(deps.db, portfolioId, conversationId);
    if (!head) throw new AppError("not_found", `no conversation ${conversationId}`);
    return head;
  };
  return [
    route({
      method: "GET",
      path: "/portfolios/:portfolioId/conversations",
      access: "conversations:read",
      params: z.object({ portfolioId: id }),
      query: listQuery,
      summary: "Threads, newest activity first. Filter by channel, mode and unread; `q` searches the customer's name or id and message text. Pass `nextCursor` back as `cursor` for the next page.",
      async handle({ tenant, query }) {
        return listConversationPage(deps.db, tenant.portfolioId, query);
      },
    }),
    route({
      method: "GET",
      path: "/portfolios/:portfolioId/conversations/:conversationId",
      access: "conversations:read",
      params: conversationParams,
      summary: "One thread: its customer, channel, mode, attention and messaging window.",
      async handle({ tenant, params }) {
        return headView(await mustFind(tenant.portfolioId, params.conversationId), deps);
      },
    }),
    route({
      method: "GET",
      path: "/portfolios/:portfolioId/conversations/:conversationId/messages",
      access: "conversations:read",
      params: conversationParams,
      query: messagesQuery,
      summary: "A thread's messages, newest first. Pass `nextCursor` back as `before` for older ones.",
      async handle({ tenant, params, query }) {
        await mustFind(tenant.portfolioId, params.conversationId);
        return listMessagePage(deps.db, tenant.portfolioId, params.conversationId, query);
      },
    }),
    route({
      method: "POST",
      path: "/portfolios/:portfolioId/conversations/:conversationId/replies",
      access: "conversations:write",
      status: 202,
      params: conversationParams,
      body: z.object({ text: z.string().trim().min(1, "must not be empty").max(10_000, "must be at most 10000 characters") }).strict(),
      summary: "A person's reply: the thread switches to manual and the message is queued to send. Outside the messaging window: 409 with the reason (the message is kept as failed).",
      async handle({ tenant, params, body }) {
        const input = { portfolioId: tenant.portfolioId, conversationId: params.conversationId, text: body.text, memberId: tenant.memberId };
        const result = await sendManualReply(input, { store, senders: deps.senders, now: deps.now, onWorkScheduled: deps.onWorkScheduled });
        if (result.status === "failed") throw new AppError("conflict", `not sent: ${result.reason ?? "refused"} (kept as failed message ${result.messageId})`);
        return { message: { id: result.messageId, status: result.status }, conversation: { id: params.conversationId, mode: "manual" } };
      },
    }),
    route({
      method: "PUT",
      path: "/portfolios/:portfolioId/conversations/:conversationId/mode",
      access: "conversations:write",
      params: conversationParams,
      body: z.object({ mode: z.enum(conversationModes) }).strict(),
      summary: "Takes the thread over (`manual`: the agent stays silent) or hands it back to the agent (`ai`).",
      async handle({ tenant, params, body }) {
        await setConversationMode({ portfolioId: tenant.portfolioId, conversationId: params.conversationId, mode: body.mode }, { store, onWorkScheduled: deps.onWorkScheduled });
        return { conversation: { id: params.conversationId, mode: body.mode } };
      },
    }),
    route({
      method: "POST",
      path: "/portfolios/:portfolioId/conversations/:conversationId/read",
      access: "conversations:write",
      params: conversationParams,
      summary: "Marks the thread read: its unread count becomes 0.",
      async handle({ tenant, params }) {
        if (!(await markConversationRead(deps.db, tenant.portfolioId, params.conversationId))) {
          throw new AppError("not_found", `no conversation ${params.conversationId}`);
        }
        void deps.live.publish(tenant.portfolioId, { type: "conversation.changed", conversationId: params.conversationId, unreadCount: 0 });
        return { conversation: { id: params.conversationId, unreadCount: 0 } };
      },
    }),
  ];
}
