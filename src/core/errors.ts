/** Error codes the HTTP edge maps to statuses in one table. */
export type ErrorCode = "bad_request" | "not_found" | "conflict" | "unauthorized" | "forbidden" | "payload_too_large";

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Thrown by work handlers for a fault that may pass (timeouts, 5xx, rate limits): run again later. */
export class RetryLater extends Error {
  constructor(
    message: string,
    readonly afterMs?: number,
  ) {
    super(message);
  }
}
