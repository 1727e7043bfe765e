import { randomUUID } from "node:crypto";
import type { TestHelpers } from "better-auth/plugins";
import { members } from "../../src/db/schema/index.js";
import type { Role } from "../../src/core/tenancy/policy.js";
import type { Harness } from "./cosbot-under-test.js";

export interface ApiUser {
  userId: string;
  email: string;
  /** The Cookie header of a fresh session. */
  cookie: string;
}

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

/** A user with a signed-in session, made through better-auth's test helpers (not OAuth). */
export async function signedInUser(h: Harness, fields: { name?: string; email?: string; githubLogin?: string } = {}): Promise<ApiUser> {
  const helpers = ((await h.cosbot.auth.$context) as unknown as { test: TestHelpers }).test;
  const email = fields.email ?? `user-${randomUUID().slice(0, 8)}@example.test`;
  const user = await helpers.saveUser(
    helpers.createUser({ name: fields.name ?? "Test User", email, emailVerified: true, ...(fields.githubLogin ? { githubLogin: fields.githubLogin } : {}) }),
  );
  const login = await helpers.login({ userId: user.id });
  const cookie = login.cookies.map((c) => `${c.name}=${c.value}`).join("; ");
  return { userId: user.id, email, cookie };
}

/** A signed-in user who is a member of `portfolioId` with `role`. */
export async function memberOf(h: Harness, portfolioId: string, role: Role, fields: { name?: string } = {}): Promise<ApiUser & { memberId: string }> {
  const user = await signedInUser(h, fields);
  const [member] = await h.testDb.database.db.insert(members).values({ organizationId: portfolioId, userId: user.userId, role }).returning();
  return { ...user, memberId: member!.id };
}

/** Calls the API as a browser-less client would: JSON in, JSON out, the session cookie if given. */
export async function api<T = any>(
  h: Harness,
  method: string,
  path: string,
  options: { as?: ApiUser; body?: unknown; headers?: Record<string, string> } = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.as) headers.cookie = options.as.cookie;
  if (options.body !== undefined) headers["content-type"] ??= "application/json";
  const res = await fetch(`${h.url}/api${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : typeof options.body === "string" ? options.body : JSON.stringify(options.body),
    redirect: "manual",
  });
  const text = await res.text();
  let body: any = undefined;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  return { status: res.status, body, text, headers: res.headers };
}
