import type { MiddlewareHandler } from "hono";
import { AppError } from "../../core/errors.js";
import { errorResponse } from "../api/errors.js";

const safeMethods = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * CSRF: a state-changing request that a browser sends on another site's behalf carries that
 * site's Origin (or Sec-Fetch-Site: cross-site); refuse it. Clients that are not browsers send
 * neither and carry no ambient cookies to abuse, so they pass.
 */
export function originCheck(publicUrl: string): MiddlewareHandler {
  const allowed = new URL(publicUrl).origin;
  return async (c, next) => {
    if (safeMethods.has(c.req.method)) return next();
    const origin = c.req.header("origin");
    if (origin !== undefined && origin !== allowed) {
      return errorResponse(c, new AppError("forbidden", `cross-site request refused: Origin ${origin} is not ${allowed}`));
    }
    if (origin === undefined && c.req.header("sec-fetch-site") === "cross-site") {
      return errorResponse(c, new AppError("forbidden", "cross-site request refused"));
    }
    return next();
  };
}
