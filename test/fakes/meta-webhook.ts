// Build and deliver webhooks the way Meta does (meta-platform.md §1.2, §2, §4.1, §5.2):
// escaped-unicode JSON, X-Hub-Signature-256 over the exact bytes, realistic envelopes.
import { createHmac } from "node:crypto";

export type WebhookPayload = { object: string; entry: Array<Record<string, unknown>> };

/** JSON as Meta puts it on the wire: non-ASCII as lowercase \uXXXX escapes and "/" as "\/". */
export function metaJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/\//g, "\\/") // "/" only occurs inside strings in JSON text
    .replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** `sha256=<hex>` HMAC of the exact bytes, as in X-Hub-Signature-256. */
export function signBody(raw: string | Buffer, appSecret: string): string {
  return `sha256=${createHmac("sha256", appSecret).update(raw).digest("hex")}`;
}

export interface PostWebhookOptions {
  /** Override the X-Hub-Signature-256 value; null sends no signature headers at all. */
  signature?: string | null;
  headers?: Record<string, string>;
}

/** POST a webhook like Meta: objects go through metaJson, strings are sent byte for byte. */
export async function postWebhook(
  baseUrl: string,
  path: string,
  payload: object | string,
  appSecret: string,
  options: PostWebhookOptions = {},
): Promise<Response> {
  const raw = typeof payload === "string" ? payload : metaJson(payload);
  const headers: Record<string, string> = { "content-type": "application/json", "user-agent": "facebookexternalua" };
  if (options.signature === undefined) {
    headers["x-hub-signature-256"] = signBody(raw, appSecret);
    // Meta still sends the legacy SHA-1 header next to the SHA-256 one.
    headers["x-hub-signature"] = `sha1=${createHmac("sha1", appSecret).update(raw).digest("hex")}`;
  } else if (options.signature !== null) {
    headers["x-hub-signature-256"] = options.signature;
  }
  return fetch(joinUrl(baseUrl, path), { method: "POST", body: raw, headers: { ...headers, ...options.headers } });
}

/** The GET verification handshake Meta performs when the callback URL is saved. */
export function getVerification(baseUrl: string, path: string, verifyToken: string, challenge = "1158201444", mode = "subscribe"): Promise<Response> {
  const q = new URLSearchParams({ "hub.mode": mode, "hub.challenge": challenge, "hub.verify_token": verifyToken });
  return fetch(`${joinUrl(baseUrl, path)}?${q}`);
}

/** Concatenate entries of several payloads of one object type into one batched POST. */
export function mergeWebhooks(...payloads: WebhookPayload[]): WebhookPayload {
  return { object: payloads[0]?.object ?? "", entry: payloads.flatMap((p) => p.entry) };
}

// ---- WhatsApp (timestamps are strings of Unix seconds) ----

export interface WaOptions {
  waba?: string;
  displayPhone?: string;
  /** The change's field; "messages" unless told. */
  field?: string;
}

const nowSeconds = () => String(Math.floor(Date.now() / 1000));

/** One whatsapp_business_account entry whose change value gets `value` merged in. */
export function waEnvelope(pnid: string, value: Record<string, unknown>, options: WaOptions = {}): WebhookPayload {
  const metadata = { display_phone_number: options.displayPhone ?? "15550000000", phone_number_id: pnid };
  return {
    object: "whatsapp_business_account",
    entry: [{ id: options.waba ?? "WABA_TEST_1", changes: [{ field: options.field ?? "messages", value: { messaging_product: "whatsapp", metadata, ...value } }] }],
  };
}

/** meta-platform.md §2: a person answering from the WhatsApp Business app (coexistence), field smb_message_echoes. */
export function waBusinessAppEcho(pnid: string, echo: { to: string; id: string; body: string; timestamp?: string }, options: WaOptions = {}): WebhookPayload {
  const from = options.displayPhone ?? "15550000000";
  const message = { from, to: echo.to, id: echo.id, timestamp: echo.timestamp ?? nowSeconds(), type: "text", text: { body: echo.body } };
  return waEnvelope(pnid, { message_echoes: [message] }, { ...options, field: "smb_message_echoes" });
}

/**
 * Any inbound message object. contacts: undefined derives one from message.from,
 * null leaves the key out.
 */
export function waMessage(pnid: string, message: Record<string, unknown>, contacts?: unknown[] | null, options: WaOptions = {}): WebhookPayload {
  const derived = typeof message.from === "string" ? [{ profile: { name: "Test Customer" }, wa_id: message.from }] : null;
  const list = contacts === undefined ? derived : contacts;
  return waEnvelope(pnid, { ...(list ? { contacts: list } : {}), messages: [message] }, options);
}

export interface WaTextInput extends WaOptions {
  pnid: string;
  from: string;
  id: string;
  body: string;
  timestamp?: string;
  /** null sends a contact without `profile` (seen in the field). */
  name?: string | null;
  /** wamid being quoted. */
  contextId?: string;
}

export function waText(i: WaTextInput): WebhookPayload {
  const message: Record<string, unknown> = { from: i.from, id: i.id, timestamp: i.timestamp ?? nowSeconds(), type: "text", text: { body: i.body } };
  if (i.contextId) message.context = { from: i.displayPhone ?? "15550000000", id: i.contextId };
  const contact = i.name === null ? { wa_id: i.from } : { profile: { name: i.name ?? "Test Customer" }, wa_id: i.from };
  return waMessage(i.pnid, message, [contact], i);
}

export interface WaStatusInput extends WaOptions {
  pnid: string;
  id: string;
  status: "sent" | "delivered" | "read" | "failed" | "played";
  recipient: string;
  timestamp?: string;
  errors?: Array<{ code: number; title?: string; message?: string; error_data?: { details: string }; href?: string }>;
  pricing?: Record<string, unknown>;
}

export function waStatus(i: WaStatusInput): WebhookPayload {
  const status: Record<string, unknown> = { id: i.id, status: i.status, timestamp: i.timestamp ?? nowSeconds(), recipient_id: i.recipient };
  if (i.errors) status.errors = i.errors;
  if (i.pricing) status.pricing = i.pricing;
  return waEnvelope(i.pnid, { statuses: [status] }, i);
}

// ---- Messenger / Instagram (timestamps are numbers of Unix ms) ----

export interface EventOptions {
  /** Deliver in entry[].standby[] (another app owns the thread). */
  standby?: boolean;
  time?: number;
}

function messagingEnvelope(object: "page" | "instagram", id: string, event: Record<string, unknown>, o: EventOptions): WebhookPayload {
  return { object, entry: [{ id, time: o.time ?? Date.now(), [o.standby ? "standby" : "messaging"]: [event] }] };
}

/** Any Messenger messaging[] item (reactions, postbacks, deliveries, reads, ...). */
export function pageEvent(pageId: string, event: Record<string, unknown>, options: EventOptions = {}): WebhookPayload {
  return messagingEnvelope("page", pageId, event, options);
}

/** Any Instagram messaging[] item. */
export function igEvent(igId: string, event: Record<string, unknown>, options: EventOptions = {}): WebhookPayload {
  return messagingEnvelope("instagram", igId, event, options);
}

interface MessageInputBase extends EventOptions {
  mid: string;
  text?: string;
  attachments?: Array<{ type: string; payload?: Record<string, unknown> }>;
  timestamp?: number;
  /** Business-sent echo: sender and recipient swap. */
  isEcho?: boolean;
}

export interface PageMessageInput extends MessageInputBase {
  pageId: string;
  psid: string;
  appId?: string;
  replyTo?: string;
  quickReply?: string;
}

export function pageMessage(i: PageMessageInput): WebhookPayload {
  const message: Record<string, unknown> = { mid: i.mid };
  if (i.isEcho) message.is_echo = true;
  if (i.appId !== undefined) message.app_id = i.appId;
  if (i.text !== undefined) message.text = i.text;
  if (i.attachments) message.attachments = i.attachments;
  if (i.quickReply !== undefined) message.quick_reply = { payload: i.quickReply };
  if (i.replyTo !== undefined) message.reply_to = { mid: i.replyTo };
  return pageEvent(i.pageId, dmEvent(i.pageId, i.psid, i, message), i);
}

export interface IgMessageInput extends MessageInputBase {
  igId: string;
  igsid: string;
  /** A mid, or a story reference for story replies. */
  replyTo?: string | { story: { id: string; url: string } };
  isUnsupported?: boolean;
  isDeleted?: boolean;
}

export function igMessage(i: IgMessageInput): WebhookPayload {
  const message: Record<string, unknown> = { mid: i.mid };
  if (i.isEcho) message.is_echo = true;
  if (i.isDeleted) message.is_deleted = true;
  if (i.isUnsupported) message.is_unsupported = true;
  if (i.text !== undefined) message.text = i.text;
  if (i.attachments) message.attachments = i.attachments;
  if (i.replyTo !== undefined) message.reply_to = typeof i.replyTo === "string" ? { mid: i.replyTo } : i.replyTo;
  return igEvent(i.igId, dmEvent(i.igId, i.igsid, i, message), i);
}

function dmEvent(businessId: string, customerId: string, i: MessageInputBase, message: Record<string, unknown>): Record<string, unknown> {
  const [sender, recipient] = i.isEcho ? [businessId, customerId] : [customerId, businessId];
  return { sender: { id: sender }, recipient: { id: recipient }, timestamp: i.timestamp ?? Date.now(), message };
}

function joinUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, "")}/${path.replace(/^\/+/, "")}`;
}
