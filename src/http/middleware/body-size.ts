import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";

type BodyLimitOptions = Parameters<typeof bodyLimit>[0];

/**
 * hono's bodyLimit without its cost on the common path: it asks for the body stream, which makes
 * @hono/node-server build a full Web Request (and skip its direct read) on every request. A
 * declared Content-Length without Transfer-Encoding is judged from the header alone, since Node's
 * parser never delivers more than it declares; anything else goes through bodyLimit's counting.
 */
export function bodySizeLimit(options: BodyLimitOptions): MiddlewareHandler {
  const counting = bodyLimit(options);
  return async (c, next) => {
    if (c.req.method === "GET" || c.req.method === "HEAD") return next();
    const declared = c.req.header("content-length");
    if (declared !== undefined && /^\d+$/.test(declared) && c.req.header("transfer-encoding") === undefined) {
      if (Number(declared) <= options.maxSize) return next();
      if (options.onError) return options.onError(c);
    }
    return counting(c, next);
  };
}
