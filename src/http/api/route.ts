import type { Context } from "hono";
import type { z } from "zod";
import type { Action, Role } from "../../core/tenancy/policy.js";

/** The signed-in user making a request. */
export interface Caller {
  userId: string;
  name: string;
  email: string;
}

/** A caller resolved against the portfolio in the path by the tenant guard. */
export interface Tenant extends Caller {
  portfolioId: string;
  memberId: string;
  role: Role;
}

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
type Infer<S> = S extends z.ZodType ? z.infer<S> : undefined;

interface RouteShape<P, Q, B> {
  method: Method;
  /** Path under /api in Hono syntax; portfolio routes start with /portfolios/:portfolioId. */
  path: string;
  summary: string;
  params?: P;
  query?: Q;
  body?: B;
  /** Status of a successful answer; 204 sends no body. */
  status?: 200 | 201 | 202 | 204;
  /**
   * A streaming route (server-sent events): the same guard and validation, then `handle` returns
   * the open text/event-stream Response. Callers must not wait for its body to end.
   */
  stream?: "sse";
}

export interface RouteInput<P, Q, B> {
  params: Infer<P>;
  query: Infer<Q>;
  body: Infer<B>;
  c: Context;
}

/**
 * One API route. `access` says who may call it: anyone, any signed-in user, or a member of the
 * portfolio in the path whose role may perform the action. The guard and validation run before
 * `handle`, which never sees a request it may not serve.
 */
export type ApiRoute<P = z.ZodType | undefined, Q = z.ZodType | undefined, B = z.ZodType | undefined> = RouteShape<P, Q, B> &
  (
    | { access: "public"; handle(input: RouteInput<P, Q, B>): Promise<unknown> }
    | { access: "signed-in"; handle(input: RouteInput<P, Q, B> & { caller: Caller }): Promise<unknown> }
    | { access: Action; handle(input: RouteInput<P, Q, B> & { tenant: Tenant }): Promise<unknown> }
  );

/** Keeps each route's handler typed by its own schemas inside a route table. */
export function route<P extends z.ZodType | undefined = undefined, Q extends z.ZodType | undefined = undefined, B extends z.ZodType | undefined = undefined>(
  definition: ApiRoute<P, Q, B>,
): ApiRoute {
  return definition as unknown as ApiRoute;
}
