// The accounts a business connects, as the fake Graph API knows them: WhatsApp numbers in their
// WABA, Facebook Pages, and Instagram Login users (graph.instagram.com `/me`). Each answers only
// to its own token, with Meta's error bodies for the rest (meta-platform.md §1.5, §5.5).
import type { ServerResponse } from "node:http";
import { sendJson, type RecordedRequest } from "./http-fake.js";

export interface FakeWhatsAppNumber {
  id: string;
  wabaId: string;
  token: string;
  displayPhoneNumber?: string;
  verifiedName?: string;
  /** The Facebook user (app-scoped id) `debug_token` names as the token's user. */
  metaUserId?: string;
}
export interface FakePage {
  id: string;
  token: string;
  name?: string;
  /** The Instagram professional account linked to the Page (Facebook Login). */
  instagramAccountId?: string;
  /** The Facebook user (app-scoped id) `debug_token` names as the Page token's user. */
  metaUserId?: string;
}
export interface FakeInstagramUser {
  /** The professional account id (`user_id` of `/me`), what webhooks are routed by. */
  userId: string;
  /** A short-lived token: the exchange turns it into a long-lived one for the same user. */
  shortLivedToken?: string;
  longLivedToken?: string;
  username?: string;
}
export interface SubscriptionRecord {
  /** WABA id, Page id, or "me" (Instagram Login). */
  objectId: string;
  token: string;
  fields: string | undefined;
  at: number;
}

type Json = Record<string, unknown>;

/** Meta's error body; `type` and `subcode` as the Graph API sends them. */
export function metaError(code: number, message: string, type = "OAuthException", subcode?: number): { error: Json } {
  return { error: { message, type, code, ...(subcode ? { error_subcode: subcode } : {}), fbtrace_id: "FAKE_TRACE" } };
}

const cannotParse = () => metaError(190, "Invalid OAuth access token - Cannot parse access token");
const unsupported = (method: string, id: string) =>
  metaError(
    100,
    `Unsupported ${method.toLowerCase()} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
    "GraphMethodException",
    33,
  );

export class GraphAccounts {
  /** When set, the Instagram token exchange refuses any other client_secret (error 101). */
  instagramAppSecret: string | undefined;
  readonly subscriptions: SubscriptionRecord[] = [];
  /** DELETE /{id}/subscribed_apps calls that succeeded. */
  readonly unsubscriptions: SubscriptionRecord[] = [];
  /** Objects whose unsubscribe is answered with this error body (e.g. metaError(2, "...")). */
  readonly refusedUnsubscribes = new Map<string, { error: Json }>();
  private objects = new Map<string, { token: string; body: Json }>();
  private wabas = new Map<string, { token: string; numbers: Json[] }>();
  private me = new Map<string, Json>();
  private shortLived = new Map<string, Json>();
  private tokenUsers = new Map<string, string>();
  private issued = 0;

  addWhatsAppNumber(n: FakeWhatsAppNumber): void {
    const body = { id: n.id, display_phone_number: n.displayPhoneNumber ?? "+1 555-000-1111", verified_name: n.verifiedName ?? "Test Shop" };
    this.objects.set(n.id, { token: n.token, body });
    // Adding a number again (a new token) replaces it.
    const waba = this.wabas.get(n.wabaId) ?? { token: n.token, numbers: [] };
    waba.token = n.token;
    waba.numbers = [...waba.numbers.filter((b) => b.id !== n.id), body];
    this.wabas.set(n.wabaId, waba);
    if (n.metaUserId) this.tokenUsers.set(n.token, n.metaUserId);
  }

  addPage(p: FakePage): void {
    const body: Json = { id: p.id, name: p.name ?? "Test Page" };
    if (p.instagramAccountId) body.instagram_business_account = { id: p.instagramAccountId };
    this.objects.set(p.id, { token: p.token, body });
    if (p.metaUserId) this.tokenUsers.set(p.token, p.metaUserId);
  }

  addInstagramUser(u: FakeInstagramUser): void {
    const body = { id: `APP_SCOPED_${u.userId}`, user_id: u.userId, username: u.username ?? "testshop" };
    if (u.shortLivedToken) this.shortLived.set(u.shortLivedToken, body);
    if (u.longLivedToken) this.me.set(u.longLivedToken, body);
  }

  reset(): void {
    this.instagramAppSecret = undefined;
    this.subscriptions.length = 0;
    this.unsubscriptions.length = 0;
    this.refusedUnsubscribes.clear();
    this.objects.clear();
    this.wabas.clear();
    this.me.clear();
    this.shortLived.clear();
    this.tokenUsers.clear();
  }

  /** Answers the request if it is about a known account (or `/me`); false leaves it to the caller. */
  handle(req: RecordedRequest, res: ServerResponse, segments: string[], token: string): boolean {
    const [id, edge] = segments;
    if (!id || segments.length > 2) return false;
    if (req.method === "GET" && segments.length === 1 && id === "access_token") return this.exchange(req, res, token);
    if (req.method === "GET" && id === "debug_token" && !edge) return this.debugToken(req, res);
    if (req.method === "GET" && id === "me" && !edge) return this.answer(res, this.me.get(token) ?? null, cannotParse);
    if (req.method === "POST" && edge === "subscribed_apps") return this.subscribe(req, res, id, token);
    if (req.method === "DELETE" && edge === "subscribed_apps") return this.unsubscribe(req, res, id, token);
    const waba = this.wabas.get(id);
    if (req.method === "GET" && edge === "phone_numbers" && waba) {
      return this.answer(res, this.allowed(waba.token, token, req.method, id) ?? { data: waba.numbers, paging: { cursors: { before: "B", after: "A" } } });
    }
    const object = this.objects.get(id);
    if (req.method === "GET" && !edge && object) return this.answer(res, this.allowed(object.token, token, req.method, id) ?? object.body);
    // Any other edge of a WABA we know about but do not model: Meta's answer for a wrong id.
    if (req.method === "GET" && edge === "phone_numbers") return this.answer(res, unsupported(req.method, id));
    return false;
  }

  /** Undefined when `token` is the object's; else the error Meta gives for it. */
  private allowed(owner: string, token: string, method: string, id: string): Json | undefined {
    if (token === owner) return undefined;
    return this.knows(token) ? unsupported(method, id) : cannotParse();
  }

  private knows(token: string): boolean {
    if (this.me.has(token)) return true;
    for (const o of [...this.objects.values(), ...this.wabas.values()]) if (o.token === token) return true;
    return false;
  }

  private subscribe(req: RecordedRequest, res: ServerResponse, id: string, token: string): boolean {
    const owner = id === "me" ? (this.me.has(token) ? token : undefined) : (this.wabas.get(id) ?? this.objects.get(id))?.token;
    if (id === "me" && !owner) return this.answer(res, cannotParse());
    // An id the fake was not told about keeps the old lenient answer.
    const refusal = owner ? this.allowed(owner, token, req.method, id) : undefined;
    if (refusal) return this.answer(res, refusal);
    const body = req.body && typeof req.body === "object" ? (req.body as Json) : {};
    const fields = req.query.subscribed_fields ?? (typeof body.subscribed_fields === "string" ? body.subscribed_fields : undefined);
    this.subscriptions.push({ objectId: id, token, fields, at: Date.now() });
    return this.answer(res, { success: true });
  }

  /** `debug_token?input_token=`: valid for any token the fake knows, with `user_id` when one was given. */
  private debugToken(req: RecordedRequest, res: ServerResponse): boolean {
    const input = String(req.query.input_token ?? "");
    if (!this.knows(input)) return this.answer(res, { data: { is_valid: false, error: { code: 190, message: "Invalid OAuth access token." } } });
    const userId = this.tokenUsers.get(input);
    return this.answer(res, { data: { app_id: "FAKE_APP", is_valid: true, ...(userId ? { user_id: userId } : {}) } });
  }

  private unsubscribe(req: RecordedRequest, res: ServerResponse, id: string, token: string): boolean {
    const refused = this.refusedUnsubscribes.get(id);
    if (refused) return this.answer(res, refused);
    const owner = (this.wabas.get(id) ?? this.objects.get(id))?.token;
    const refusal = owner ? this.allowed(owner, token, req.method, id) : undefined;
    if (refusal) return this.answer(res, refusal);
    this.unsubscriptions.push({ objectId: id, token, fields: undefined, at: Date.now() });
    return this.answer(res, { success: true });
  }

  /** Short-lived → long-lived for a registered user; unknown tokens keep the fake's old answer. */
  private exchange(req: RecordedRequest, res: ServerResponse, token: string): boolean {
    if (req.query.grant_type !== "ig_exchange_token") return false;
    if (this.instagramAppSecret !== undefined && req.query.client_secret !== this.instagramAppSecret) {
      return this.answer(res, metaError(101, "Error validating client secret."));
    }
    const user = this.shortLived.get(token);
    if (!user) return false;
    const longLived = `IGQ_LONG_${++this.issued}_${String(user.user_id)}`;
    this.me.set(longLived, user);
    return this.answer(res, { access_token: longLived, token_type: "bearer", expires_in: 5184000 });
  }

  private answer(res: ServerResponse, body: Json | null, orElse?: () => Json): true {
    const out = body ?? orElse!();
    sendJson(res, "error" in out ? 400 : 200, out);
    return true;
  }
}
