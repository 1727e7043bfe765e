/** Error codes the HTTP edge maps to statuses in one table (`src/http/api/errors.ts`). */
export type ErrorCode =
  | "bad_request"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "payload_too_large"
  | "rate_limited"
  /** An outside service (Graph API, OpenAI) refused or could not be reached; try again later. */
  | "upstream_unavailable"
  /** The server is not set up for this (e.g. no model key): the message says what to configure. */
  | "unavailable"
  /** Our fault: logged with the request's path; the body says no more. */
  | "internal";

export interface FieldIssue {
  /** Dotted path of the field, e.g. `body.name`. */
  field: string;
  message: string;
}

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Which input fields are wrong, for bad input. */
    readonly fields?: FieldIssue[],
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
