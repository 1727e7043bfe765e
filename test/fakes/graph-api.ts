// Fake Meta Graph API: WhatsApp Cloud API + Messenger/Instagram Send API (they share
// POST /:version/:id/messages), profile lookups, subscribed_apps and IG token endpoints, and the
// accounts a channel connect checks (graph-accounts.ts).
// Shapes follow /work/shared/reference/meta-platform.md §3-5.
import type { ServerResponse } from "node:http";
import { GraphAccounts } from "./graph-accounts.js";
import { HttpFake, sendJson, sleep, tokenOf, type RecordedRequest, type ScriptedResponse } from "./http-fake.js";

export interface SendRecord {
  /** "messenger" also covers Instagram: both use the same Send API body. */
  channel: "whatsapp" | "messenger";
  version: string | undefined;
  /** Path id: phone_number_id for WhatsApp, Page/IG account id (or "me") otherwise. */
  accountId: string;
  phoneNumberId?: string;
  pageId?: string;
  /** WhatsApp `to`, or Messenger/IG `recipient.id`. */
  to: string;
  /** WhatsApp `type` ("text", "template", ...); "text" or "attachment" for Messenger/IG. */
  type: string;
  text: string | undefined;
  token: string;
  messageId: string;
  body: Record<string, unknown>;
  at: number;
}

export interface MarkReadRecord {
  phoneNumberId: string;
  messageId: string;
  /** True when the call also asked for a typing indicator. */
  typing: boolean;
  token: string;
  at: number;
}

export interface SenderActionRecord {
  accountId: string;
  to: string;
  action: string;
  token: string;
  at: number;
}

export type SendHook = (send: SendRecord) => void | Promise<void>;

type Step = { kind: "fail"; response: ScriptedResponse } | { kind: "hang" } | { kind: "accept-hang" };

/** A Graph error response as Meta shapes it, ready for failNext. */
export function graphError(code: number, message: string, httpStatus = 400, details?: string): ScriptedResponse {
  const error: Record<string, unknown> = { message, type: "OAuthException", code, fbtrace_id: "FAKE_TRACE" };
  if (details !== undefined) error.error_data = { messaging_product: "whatsapp", details };
  return { status: httpStatus, body: { error } };
}

/** Errors the field-failure cases need most often. */
export const graphErrors = {
  reengagement: () =>
    graphError(131047, "(#131047) Re-engagement message", 400,
      "Message failed to send because more than 24 hours have passed since the customer last replied to this number."),
  tokenExpired: () => graphError(190, "Error validating access token: Session has expired", 401),
  throughput: () => graphError(130429, "(#130429) Rate limit hit", 400, "Cloud API message throughput has been reached."),
  pairRateLimit: () => graphError(131056, "(#131056) (Business Account, Consumer Account) pair rate limit hit", 400),
  undeliverable: () => graphError(131026, "(#131026) Message undeliverable", 400),
};

export class FakeGraphApi extends HttpFake {
  /** Added before every message send (not mark-reads). */
  delayMs = 0;
  /** Added before answering a WhatsApp mark-read (Meta slow to take the read receipt). */
  readDelayMs = 0;
  /** Added before answering a token exchange or refresh. */
  tokenDelayMs = 0;
  /** Tokens answered with 401/190 "Session has expired" on every route. */
  readonly invalidTokens = new Set<string>();
  /** Errors thrown by onSend hooks; the send still succeeds so the sender's path is unchanged. */
  readonly hookErrors: unknown[] = [];
  /** Numbers, Pages and Instagram users that connecting a channel checks; their subscriptions. */
  readonly accounts = new GraphAccounts();

  private script: Step[] = [];
  private queuedIds: string[] = [];
  private hooks: SendHook[] = [];
  private profiles = new Map<string, { status: number; body: unknown }>();
  private refusedActions = new Map<string, ScriptedResponse>();
  private sendLog: SendRecord[] = [];
  private readLog: MarkReadRecord[] = [];
  private actionLog: SenderActionRecord[] = [];
  // Never rewound by reset(): ids stay unique when tests share one database.
  private counter = 0;
  private tokenCounter = 0;

  /** Successful text sends (WhatsApp type "text", Messenger/IG message.text). */
  get sends(): SendRecord[] {
    return this.sendLog.filter((s) => s.type === "text");
  }
  /** Every successful message send, text or not (templates, media, ...). */
  get messageSends(): SendRecord[] {
    return [...this.sendLog];
  }
  get markReads(): MarkReadRecord[] {
    return [...this.readLog];
  }
  /** Answers every later sender action of this kind (e.g. "mark_seen") with `response`. */
  refuseSenderAction(action: string, response: ScriptedResponse): void {
    this.refusedActions.set(action, response);
  }

  get senderActions(): SenderActionRecord[] {
    return [...this.actionLog];
  }
  /** Every message-send request, including failed/hung ones. */
  get sendRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.method === "POST" && isMessageSend(r.body));
  }

  /** The next n message sends answer `response` (mark-reads and sender actions are not affected). */
  failNext(n: number, response: ScriptedResponse): void {
    for (let i = 0; i < n; i++) this.script.push({ kind: "fail", response });
  }
  /** The next n message sends never answer (until reset/stop). */
  hangNext(n: number): void {
    for (let i = 0; i < n; i++) this.script.push({ kind: "hang" });
  }
  /** The next n message sends are accepted (recorded in `sends`, as Meta would deliver them) but never answered. */
  acceptThenHangNext(n: number): void {
    for (let i = 0; i < n; i++) this.script.push({ kind: "accept-hang" });
  }
  /** Use these ids for the next successful sends, e.g. "wamid.TEST_OUT_0002". */
  queueMessageIds(...ids: string[]): void {
    this.queuedIds.push(...ids);
  }
  /** Runs after a successful send, awaited before the HTTP response is written. Returns an unsubscribe. */
  onSend(hook: SendHook): () => void {
    this.hooks.push(hook);
    return () => {
      this.hooks = this.hooks.filter((h) => h !== hook);
    };
  }
  /** Answer for GET /:version/:id (default {}). Non-200 status for lookup errors. */
  setProfile(id: string, body: unknown, status = 200): void {
    this.profiles.set(id, { status, body });
  }

  override reset(): void {
    super.reset();
    this.delayMs = 0;
    this.readDelayMs = 0;
    this.tokenDelayMs = 0;
    this.invalidTokens.clear();
    this.hookErrors.length = 0;
    this.script = [];
    this.refusedActions.clear();
    this.queuedIds = [];
    this.hooks = [];
    this.profiles.clear();
    this.sendLog = [];
    this.readLog = [];
    this.actionLog = [];
    this.accounts.reset();
  }

  protected async handle(req: RecordedRequest, res: ServerResponse): Promise<void> {
    const segments = req.path.split("/").filter(Boolean);
    const version = segments[0] && /^v\d+(\.\d+)?$/.test(segments[0]) ? segments.shift() : undefined;

    const token = tokenOf(req);
    if (!token) {
      return sendJson(res, 401, graphError(190, "An active access token must be used to query information about the current user.").body);
    }
    if (this.invalidTokens.has(token)) {
      return sendJson(res, 401, graphErrors.tokenExpired().body);
    }

    if (this.accounts.handle(req, res, segments, token)) return;
    const [id, edge] = segments;
    if (req.method === "GET" && segments.length === 1 && (id === "refresh_access_token" || id === "access_token")) {
      await sleep(this.tokenDelayMs);
      return sendJson(res, 200, { access_token: `IGQ_FAKE_${++this.tokenCounter}`, token_type: "bearer", expires_in: 5184000 });
    }
    if (req.method === "POST" && id && edge === "messages" && segments.length === 2) {
      return this.handleMessages(req, res, version, id, token);
    }
    if (req.method === "POST" && id && edge === "subscribed_apps" && segments.length === 2) {
      return sendJson(res, 200, { success: true });
    }
    if (req.method === "GET" && id && segments.length === 1) {
      const profile = this.profiles.get(id) ?? { status: 200, body: {} };
      return sendJson(res, profile.status, profile.body);
    }
    sendJson(res, 400, graphError(100, `Unsupported ${req.method.toLowerCase()} request.`).body);
  }

  private async handleMessages(req: RecordedRequest, res: ServerResponse, version: string | undefined, accountId: string, token: string): Promise<void> {
    const body = asObject(req.body);
    const at = Date.now();
    if (body.messaging_product === "whatsapp" && body.status === "read") {
      await sleep(this.readDelayMs);
      this.readLog.push({ phoneNumberId: accountId, messageId: String(body.message_id), typing: body.typing_indicator != null, token, at });
      return sendJson(res, 200, { success: true });
    }
    if (body.messaging_product !== "whatsapp" && typeof body.sender_action === "string") {
      const to = String(asObject(body.recipient).id);
      const refusal = this.refusedActions.get(body.sender_action);
      if (refusal) return sendJson(res, refusal.status, refusal.body ?? {});
      this.actionLog.push({ accountId, to, action: body.sender_action, token, at });
      return sendJson(res, 200, { recipient_id: to });
    }
    if (!isMessageSend(body)) {
      return sendJson(res, 400, graphError(100, "(#100) The parameter messaging_product is required.").body);
    }

    // Take the scripted step on arrival so concurrent sends consume it in order.
    const step = this.script.shift();
    await sleep(this.delayMs);
    if (step?.kind === "hang") return this.hang(res);
    if (step?.kind === "fail") {
      await sleep(step.response.delayMs ?? 0);
      return sendJson(res, step.response.status, step.response.body, step.response.headers);
    }

    const send = this.recordSend(body, version, accountId, token);
    if (step?.kind === "accept-hang") return this.hang(res);
    for (const hook of this.hooks) {
      try {
        await hook(send);
      } catch (err) {
        this.hookErrors.push(err);
        console.error("FakeGraphApi onSend hook failed:", err);
      }
    }
    if (send.channel === "whatsapp") {
      sendJson(res, 200, {
        messaging_product: "whatsapp",
        contacts: [{ input: send.to, wa_id: send.to.replace(/\D/g, "") }],
        messages: [{ id: send.messageId }],
      });
    } else {
      sendJson(res, 200, { recipient_id: send.to, message_id: send.messageId });
    }
  }

  private recordSend(body: Record<string, unknown>, version: string | undefined, accountId: string, token: string): SendRecord {
    const n = ++this.counter;
    const base = { version, accountId, token, body, at: Date.now() };
    let send: SendRecord;
    if (body.messaging_product === "whatsapp") {
      const type = typeof body.type === "string" ? body.type : "text";
      const text = type === "text" ? asObject(body.text).body : undefined;
      send = {
        ...base, channel: "whatsapp", phoneNumberId: accountId, to: String(body.to), type,
        text: typeof text === "string" ? text : undefined,
        messageId: this.queuedIds.shift() ?? `wamid.FAKE_OUT_${n}`,
      };
    } else {
      const text = asObject(body.message).text;
      send = {
        ...base, channel: "messenger", pageId: accountId, to: String(asObject(body.recipient).id),
        type: typeof text === "string" ? "text" : "attachment",
        text: typeof text === "string" ? text : undefined,
        messageId: this.queuedIds.shift() ?? `m_FAKE_OUT_${n}`,
      };
    }
    this.sendLog.push(send);
    return send;
  }
}

function asObject(value: unknown): Record<string, unknown> {
  return value && typeof value === "object" ? (value as Record<string, unknown>) : {};
}

function isMessageSend(value: unknown): boolean {
  const body = asObject(value);
  if (body.messaging_product === "whatsapp") return body.status !== "read";
  return body.recipient != null && body.message != null;
}
