import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SendError } from "../../core/ports.js";
import { createGraphClient, parseRetryAfter } from "./graph-client.js";

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

let server: Server;
let baseUrl: string;
let handler: Handler;
let seen: Seen[];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      handler(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  seen = [];
  handler = (_req, res) => json(res, 200, { ok: true });
});

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

function metaError(code: number, extra: Record<string, unknown> = {}) {
  return { error: { message: `(#${code}) test error`, type: "OAuthException", code, fbtrace_id: "TRACE_TEST", ...extra } };
}

const client = () => createGraphClient({ baseUrl: baseUrl + "/", version: "v24.0", timeoutMs: 500 });

async function sendError(promise: Promise<unknown>): Promise<SendError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(SendError);
    return error as SendError;
  }
  throw new Error("expected a SendError");
}

describe("createGraphClient", () => {
  it("POSTs JSON with a bearer token to the pinned version and returns the parsed answer", async () => {
    handler = (_req, res) => json(res, 200, { messages: [{ id: "wamid.OUT" }] });
    const answer = await client().post("/PNID_1/messages", { hello: "wörld 😀" }, "TOKEN_1");
    expect(answer).toEqual({ messages: [{ id: "wamid.OUT" }] });
    expect(seen).toHaveLength(1);
    expect(seen[0]?.method).toBe("POST");
    expect(seen[0]?.url).toBe("/v24.0/PNID_1/messages");
    expect(seen[0]?.headers.authorization).toBe("Bearer TOKEN_1");
    expect(seen[0]?.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(seen[0]?.body ?? "")).toEqual({ hello: "wörld 😀" });
  });

  it("GETs with query parameters and keeps the token out of the URL", async () => {
    handler = (_req, res) => json(res, 200, { name: "Jane" });
    const answer = await client().get("me", { fields: "name,username", limit: 5, skip: undefined }, "TOKEN_2");
    expect(answer).toEqual({ name: "Jane" });
    expect(seen[0]?.method).toBe("GET");
    expect(seen[0]?.url).toBe("/v24.0/me?fields=name%2Cusername&limit=5");
    expect(seen[0]?.headers.authorization).toBe("Bearer TOKEN_2");
  });

  it("uses an injected fetch", async () => {
    const calls: string[] = [];
    const fake: typeof fetch = async (input) => {
      calls.push(String(input));
      return new Response(JSON.stringify({ success: true }), { status: 200 });
    };
    const graph = createGraphClient({ baseUrl: "http://graph.invalid", version: "v25.0", timeoutMs: 100, fetch: fake });
    expect(await graph.post("/x", {}, "t")).toEqual({ success: true });
    expect(calls).toEqual(["http://graph.invalid/v25.0/x"]);
  });

  it("maps Meta's error shape onto PlatformError", async () => {
    handler = (_req, res) =>
      json(res, 400, metaError(131047, { title: "Re-engagement message", error_data: { messaging_product: "whatsapp", details: "More than 24 hours have passed" } }));
    const error = await sendError(client().post("/PNID_1/messages", {}, "t"));
    expect(error.error).toEqual({ code: "131047", title: "(#131047) test error", detail: "More than 24 hours have passed", category: "window_closed" });
    expect(error.retryable).toBe(false);
    expect(error.tokenInvalid).toBe(false);
  });

  it("marks code 190 as a permanent token error", async () => {
    handler = (_req, res) => json(res, 401, metaError(190, { error_subcode: 463 }));
    const error = await sendError(client().post("/x", {}, "t"));
    expect(error.error.code).toBe("190");
    expect(error.error.detail).toBe("subcode 463");
    expect(error.retryable).toBe(false);
    expect(error.tokenInvalid).toBe(true);
  });

  it.each([4, 80007, 130429, 131056, 131057, 1, 2])("treats Graph code %i as retryable even on HTTP 400", async (code) => {
    handler = (_req, res) => json(res, 400, metaError(code));
    const error = await sendError(client().post("/x", {}, "t"));
    expect(error.error.code).toBe(String(code));
    expect(error.retryable).toBe(true);
    expect(error.tokenInvalid).toBe(false);
  });

  it.each([131047, 131026, 131021, 131048, 131049, 131050, 131051, 131052, 131053, 100, 10, 200, 230, 299, 368, 131031, 551])(
    "treats Graph code %i as permanent even on HTTP 500",
    async (code) => {
      handler = (_req, res) => json(res, 500, metaError(code));
      const error = await sendError(client().post("/x", {}, "t"));
      expect(error.error.code).toBe(String(code));
      expect(error.retryable).toBe(false);
    },
  );

  it("treats unknown codes by HTTP status: 5xx and 429 retry, other 4xx do not", async () => {
    handler = (_req, res) => json(res, 503, metaError(999999));
    expect((await sendError(client().post("/x", {}, "t"))).retryable).toBe(true);
    handler = (_req, res) => json(res, 429, metaError(999999));
    expect((await sendError(client().post("/x", {}, "t"))).retryable).toBe(true);
    handler = (_req, res) => json(res, 403, metaError(999999));
    expect((await sendError(client().post("/x", {}, "t"))).retryable).toBe(false);
  });

  it("retries an unlisted code that Meta marks is_transient", async () => {
    handler = (_req, res) => json(res, 400, metaError(999998, { is_transient: true }));
    expect((await sendError(client().post("/x", {}, "t"))).retryable).toBe(true);
  });

  it("classifies a non-JSON error body by status", async () => {
    handler = (_req, res) => {
      res.writeHead(502, { "content-type": "text/html" });
      res.end("<html>Bad gateway</html>");
    };
    const error = await sendError(client().get("/x", {}, "t"));
    expect(error.error.code).toBe("http_502");
    expect(error.retryable).toBe(true);
  });

  it("honours Retry-After in seconds", async () => {
    handler = (_req, res) => json(res, 429, metaError(130429), { "retry-after": "7" });
    const error = await sendError(client().post("/x", {}, "t"));
    expect(error.retryable).toBe(true);
    expect(error.retryAfterMs).toBe(7000);
  });

  it("leaves retryAfterMs unset without the header", async () => {
    handler = (_req, res) => json(res, 429, metaError(130429));
    expect((await sendError(client().post("/x", {}, "t"))).retryAfterMs).toBeUndefined();
  });

  it("times out as a retryable error", async () => {
    handler = (_req, res) => setTimeout(() => json(res, 200, {}), 1500).unref();
    const graph = createGraphClient({ baseUrl, version: "v24.0", timeoutMs: 100 });
    const started = Date.now();
    const error = await sendError(graph.post("/slow", {}, "t"));
    expect(Date.now() - started).toBeLessThan(1000);
    expect(error.error.code).toBe("timeout");
    expect(error.retryable).toBe(true);
  });

  it("reports a refused connection as a retryable network error", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const graph = createGraphClient({ baseUrl: `http://127.0.0.1:${port}`, version: "v24.0", timeoutMs: 1000 });
    const error = await sendError(graph.post("/x", {}, "t"));
    expect(error.error.code).toBe("network_error");
    expect(error.error.title).toMatch(/ECONNREFUSED/);
    expect(error.retryable).toBe(true);
  });

  it("rejects a 2xx body that is not JSON as retryable", async () => {
    handler = (_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("not json");
    };
    const error = await sendError(client().post("/x", {}, "t"));
    expect(error.error.code).toBe("bad_response");
    expect(error.retryable).toBe(true);
  });
});

describe("parseRetryAfter", () => {
  it("reads seconds and HTTP dates", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(parseRetryAfter("120", now)).toBe(120_000);
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("Wed, 31 Dec 2025 00:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
