/** The API's error JSON: `{ error: { code, message, fields? } }` (src/http/api/errors.ts). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: { field: string; message: string }[] = [],
  ) {
    super(message);
  }
}

async function errorFrom(res: Response): Promise<ApiError> {
  try {
    const body = (await res.json()) as { error?: { code?: string; message?: string; fields?: { field: string; message: string }[] }; message?: string; code?: string };
    if (body.error?.message) return new ApiError(res.status, body.error.code ?? "error", body.error.message, body.error.fields);
    // better-auth's own routes answer { code, message }.
    if (body.message) return new ApiError(res.status, body.code ?? "error", body.message);
  } catch {
    // Not JSON (a proxy or a crash page): fall through to the status line.
  }
  return new ApiError(res.status, "http_" + res.status, `The server answered ${res.status} ${res.statusText}`.trim());
}

/** Same-origin JSON call with the session cookie; throws ApiError with the API's own message. */
export async function api<T>(path: string, init: { method?: string; body?: unknown; signal?: AbortSignal } = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method: init.method ?? "GET",
      credentials: "same-origin",
      headers: init.body === undefined ? { accept: "application/json" } : { accept: "application/json", "content-type": "application/json" },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: init.signal,
    });
  } catch (error) {
    if ((error as Error).name === "AbortError") throw error;
    throw new ApiError(0, "network", "Cannot reach the server. Check your connection and try again.");
  }
  if (!res.ok) throw await errorFrom(res);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

export const errorMessage = (error: unknown): string =>
  error instanceof Error ? error.message : typeof error === "string" ? error : "Something went wrong";
