import type { PlatformError } from "../../core/events.js";
import { SendError } from "../../core/ports.js";
import { errorCategory } from "./error-category.js";

export interface GraphClientOptions {
  /** e.g. https://graph.facebook.com; a loopback fake in tests. */
  baseUrl: string;
  /** Pinned API version, e.g. "v24.0". */
  version: string;
  timeoutMs: number;
  fetch?: typeof fetch;
}

export type GraphQuery = Record<string, string | number | boolean | undefined>;

/** Thin JSON client for graph.facebook.com / graph.instagram.com. Failures throw a classified SendError. */
export interface GraphClient {
  post(path: string, body: unknown, token: string): Promise<unknown>;
  get(path: string, query: GraphQuery, token: string): Promise<unknown>;
  /** DELETE on an edge, e.g. `/{waba-id}/subscribed_apps` to unsubscribe the app. */
  delete(path: string, token: string): Promise<unknown>;
  /** Meta's OAuth token endpoints: no version in the path, the token travels in the query. */
  getUnversioned(path: string, query: GraphQuery): Promise<unknown>;
}

export function createGraphClient(options: GraphClientOptions): GraphClient {
  const doFetch = options.fetch ?? fetch;
  const base = options.baseUrl.replace(/\/+$/, "");
  const root = `${base}/${options.version}`;

  async function request(method: "GET" | "POST" | "DELETE", prefix: string, path: string, token?: string, query?: GraphQuery, body?: unknown) {
    const url = new URL(prefix + (path.startsWith("/") ? path : `/${path}`));
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    // The token goes in a header, never in the URL, so it cannot end up in access logs.
    const headers: Record<string, string> = { accept: "application/json" };
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers["content-type"] = "application/json";

    let status: number;
    let text: string;
    let retryAfter: string | null;
    try {
      // One timeout covers connecting, waiting and reading the body.
      const response = await doFetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      status = response.status;
      retryAfter = response.headers.get("retry-after");
      text = await response.text();
    } catch (cause) {
      throw graphTransportError(cause, options.timeoutMs);
    }

    const parsed = parseJson(text);
    if (status < 200 || status >= 300) throw graphResponseError(status, parsed, retryAfter);
    if (parsed === undefined && text.trim() !== "") {
      throw new SendError({ code: "bad_response", title: `Graph API answered ${status} with a body that is not JSON` }, true);
    }
    return parsed ?? {};
  }

  return {
    post: (path, body, token) => request("POST", root, path, token, undefined, body ?? {}),
    get: (path, query, token) => request("GET", root, path, token, query),
    delete: (path, token) => request("DELETE", root, path, token),
    getUnversioned: (path, query) => request("GET", base, path, undefined, query),
  };
}

/** Access token expired, revoked or invalid: the channel needs re-authorisation. */
const TOKEN_INVALID = 190;

/**
 * "Try again later": rate limits (app 4, WABA 80007, throughput 130429, pair 131056, and Graph's
 * 17 / 32 / 613 user, page and Messenger limits), maintenance (131057), temporary (1, 2, 131016, 133004).
 */
const RETRYABLE_CODES = new Set([1, 2, 4, 17, 32, 613, 80007, 130429, 131016, 131056, 131057, 133004]);

/**
 * Fails the same way every time: window closed (131047), undeliverable (131026), self-message (131021),
 * quality / marketing / media (131048-131053), bad parameter (100), permissions (10, 200-299),
 * policy (368, 131031), person unavailable (551). Listed so they stay permanent even next to a 5xx.
 */
function isPermanentCode(code: number): boolean {
  return (
    [10, 100, 368, 551, 131021, 131026, 131031, 131047].includes(code) ||
    (code >= 131048 && code <= 131053) ||
    (code >= 200 && code <= 299)
  );
}

interface GraphErrorBody {
  message?: unknown;
  code?: unknown;
  error_subcode?: unknown;
  is_transient?: unknown;
  error_data?: { details?: unknown };
}

/** Turns a non-2xx answer (Meta's `{error:{message,code,error_subcode,error_data:{details}}}`) into a SendError. */
export function graphResponseError(status: number, body: unknown, retryAfterHeader: string | null): SendError {
  const graph = extractGraphError(body);
  const code = Number.parseInt(String(graph?.code ?? ""), 10);
  const error: PlatformError = { code: Number.isFinite(code) ? String(code) : `http_${status}` };
  const title = nonEmptyString(graph?.message);
  if (title) error.title = title;
  // Messenger errors often carry only a subcode (e.g. 2018278, outside the window); keep it visible.
  const detail =
    nonEmptyString(graph?.error_data?.details) ??
    (graph?.error_subcode != null ? `subcode ${String(graph.error_subcode)}` : undefined);
  if (detail) error.detail = detail;
  const category = errorCategory(code, String(graph?.error_subcode ?? ""));
  if (category) error.category = category;

  if (code === TOKEN_INVALID) return new SendError(error, false, true);
  const retryable = isRetryable(status, code, graph?.is_transient === true);
  return new SendError(error, retryable, false, parseRetryAfter(retryAfterHeader));
}

/** No answer at all (network failure or our own timeout): always worth another try. */
export function graphTransportError(cause: unknown, timeoutMs: number): SendError {
  const name = cause instanceof Error ? cause.name : "";
  if (name === "TimeoutError" || name === "AbortError") {
    return new SendError({ code: "timeout", title: `Graph API did not answer within ${timeoutMs} ms` }, true);
  }
  return new SendError({ code: "network_error", title: describeCause(cause) }, true);
}

function isRetryable(status: number, code: number, transient: boolean): boolean {
  if (RETRYABLE_CODES.has(code)) return true;
  if (isPermanentCode(code)) return false;
  if (transient) return true;
  return status >= 500 || status === 429;
}

/** Retry-After is either delta-seconds or an HTTP date. */
export function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function extractGraphError(body: unknown): GraphErrorBody | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const error = (body as { error?: unknown }).error;
  return typeof error === "object" && error !== null ? (error as GraphErrorBody) : undefined;
}

function parseJson(text: string): unknown {
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value : undefined;
}

// undici says only "fetch failed" and keeps the useful part (ECONNREFUSED, ENOTFOUND) in `cause`.
function describeCause(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  const inner = (cause as { cause?: unknown }).cause;
  return inner instanceof Error ? `${cause.message}: ${inner.message}` : cause.message;
}
