import { type Context, Hono } from "hono";
import type { z } from "zod";
import { AppError } from "../../core/errors.js";
import { can } from "../../core/tenancy/policy.js";
import { errorResponse, invalidInput } from "./errors.js";
import type { ApiRoute, Caller, Tenant } from "./route.js";

export interface GuardDeps {
  /** The signed-in user of this request, from the session cookie; undefined when anonymous. */
  caller(c: Context): Promise<Caller | undefined>;
  /** The caller's membership of a portfolio, or undefined. */
  membership(userId: string, portfolioId: string): Promise<{ memberId: string; role: Tenant["role"] } | undefined>;
}

/**
 * Mounts a route table. Every route passes the same guard: the session, then (for portfolio
 * routes) the membership and the role's permission, then the input schemas. Nothing reaches a
 * handler that the guard did not let through; there is no other way to add an /api route.
 */
export function mountApi(routes: ApiRoute[], guard: GuardDeps): Hono {
  const app = new Hono();
  for (const r of routes) {
    app.on(r.method, r.path, async (c) => {
      try {
        const who = await authorize(r, c, guard);
        const input = {
          params: await parse(r.params, c.req.param(), "params"),
          query: await parse(r.query, c.req.query(), "query"),
          body: r.body ? await parse(r.body, await jsonBody(c), "body") : undefined,
          c,
          ...who,
        };
        const result = await (r.handle as (input: unknown) => Promise<unknown>)(input);
        if (result instanceof Response) return result;
        if (r.status === 204 || result === undefined) return c.body(null, 204);
        return c.json(result as object, r.status ?? 200);
      } catch (error) {
        if (error instanceof AppError) return errorResponse(c, error);
        throw error;
      }
    });
  }
  return app;
}

async function authorize(r: ApiRoute, c: Context, guard: GuardDeps): Promise<{ caller?: Caller; tenant?: Tenant }> {
  if (r.access === "public") return {};
  const caller = await guard.caller(c);
  if (!caller) throw new AppError("unauthorized", "sign in first");
  if (r.access === "signed-in") return { caller };
  const portfolioId = c.req.param("portfolioId");
  if (!portfolioId) throw new Error(`route ${r.method} ${r.path} needs :portfolioId for ${r.access}`);
  const member = await guard.membership(caller.userId, portfolioId);
  // Another tenant's portfolio looks exactly like one that does not exist.
  if (!member) throw new AppError("not_found", `no portfolio ${portfolioId}`);
  if (!can(member.role, r.access)) throw new AppError("forbidden", `a member with role ${member.role} may not do this (${r.access})`);
  return { tenant: { ...caller, portfolioId, ...member } };
}

async function parse(schema: z.ZodType | undefined, value: unknown, part: "params" | "query" | "body"): Promise<unknown> {
  if (!schema) return part === "body" ? undefined : value;
  const nul = pathToNul(value);
  if (nul !== undefined) {
    const field = [part, ...nul].join(".");
    throw new AppError("bad_request", `${field}: must not contain NUL characters`, [{ field, message: "must not contain NUL characters" }]);
  }
  const result = await schema.safeParseAsync(value);
  if (!result.success) throw invalidInput(part, result.error);
  return result.data;
}

async function jsonBody(c: Context): Promise<unknown> {
  const type = c.req.header("content-type") ?? "";
  if (!/^application\/(.+\+)?json\b/i.test(type)) throw new AppError("bad_request", "send the body as JSON (Content-Type: application/json)");
  try {
    return await c.req.json();
  } catch {
    throw new AppError("bad_request", "body is not valid JSON");
  }
}

/** Where a NUL character hides in the input (Postgres cannot store one in text): its path, or undefined. */
function pathToNul(value: unknown, path: string[] = [], depth = 0): string[] | undefined {
  if (typeof value === "string") return value.includes("\u0000") ? path : undefined;
  if (value === null || typeof value !== "object" || depth > 32) return undefined;
  for (const [key, item] of Object.entries(value)) {
    if (key.includes("\u0000")) return [...path, key.replaceAll("\u0000", "")];
    const found = pathToNul(item, [...path, key], depth + 1);
    if (found) return found;
  }
  return undefined;
}
