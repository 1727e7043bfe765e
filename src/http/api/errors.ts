import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ZodError } from "zod";
import { AppError, type ErrorCode, type FieldIssue } from "../../core/errors.js";

/** The one table from error codes to HTTP statuses. */
export const statusOf: Record<ErrorCode, ContentfulStatusCode> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  rate_limited: 429,
  upstream_unavailable: 502,
  unavailable: 503,
  internal: 500,
};

/** Every API error has this shape: `{ error: { code, message, fields? } }`. */
export function errorResponse(c: Context, error: AppError): Response {
  const body = { error: { code: error.code, message: error.message, ...(error.fields ? { fields: error.fields } : {}) } };
  return c.json(body, statusOf[error.code]);
}

/** A zod failure as bad_request naming each field, e.g. "body.name: Too small". */
export function invalidInput(part: "params" | "query" | "body", error: ZodError): AppError {
  const fields: FieldIssue[] = error.issues.map((issue) => ({
    field: [part, ...issue.path.map(String)].join("."),
    message: issue.message,
  }));
  return new AppError("bad_request", fields.map((f) => `${f.field}: ${f.message}`).join("; "), fields);
}
