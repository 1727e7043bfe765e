// Shared plumbing for fakes of outside HTTP services: a real node:http server on
// 127.0.0.1 that records every request, so tests exercise our real HTTP clients.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** Parsed JSON (or form) body; the raw text when it is neither; undefined when empty. */
  body: unknown;
  rawBody: string;
  /** Wall-clock ms when the request arrived. */
  at: number;
}

/** A canned HTTP answer used by the failNext-style scripting of each fake. */
export interface ScriptedResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  delayMs?: number;
}

export abstract class HttpFake {
  url = "";
  readonly requests: RecordedRequest[] = [];
  private server: Server | undefined;
  // Responses deliberately left unanswered (hangNext); destroyed on reset/stop.
  private readonly hung = new Set<ServerResponse>();

  async start(): Promise<{ url: string }> {
    if (this.server) return { url: this.url };
    const server = createServer((req, res) => void this.dispatch(req, res));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
    return { url: this.url };
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.releaseHung();
    // Keep-alive sockets from fetch would otherwise hold close() open.
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Forget recorded traffic and scripting; kill requests left hanging by an earlier test. */
  reset(): void {
    this.requests.length = 0;
    this.releaseHung();
  }

  protected abstract handle(req: RecordedRequest, res: ServerResponse): Promise<void>;

  /** Leave the response open forever (until reset/stop), for client timeout tests. */
  protected hang(res: ServerResponse): void {
    this.hung.add(res);
    res.on("close", () => this.hung.delete(res));
  }

  private releaseHung(): void {
    for (const res of this.hung) res.destroy();
    this.hung.clear();
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const rawBody = await readBody(req);
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const recorded: RecordedRequest = {
        method: req.method ?? "GET",
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        body: parseBody(rawBody, req.headers["content-type"]),
        rawBody,
        at: Date.now(),
      };
      this.requests.push(recorded);
      await this.handle(recorded, res);
    } catch (err) {
      // A bug in a fake must surface as a loud 500, never as a silent hang.
      sendJson(res, 500, { error: { message: `fake crashed: ${String(err)}` } });
    }
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.destroyed || res.writableEnded) return; // client already gave up
  const text = body === undefined ? "" : JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
  res.end(text);
}

export function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

/** Bearer token from the Authorization header, else the access_token query parameter. */
export function tokenOf(req: RecordedRequest): string | undefined {
  const auth = req.headers.authorization;
  const match = typeof auth === "string" ? /^Bearer\s+(.+)$/i.exec(auth.trim()) : null;
  if (match?.[1]) return match[1];
  const body = req.body as Record<string, unknown> | undefined;
  const fromBody = body && typeof body === "object" ? body.access_token : undefined;
  return req.query.access_token ?? (typeof fromBody === "string" ? fromBody : undefined);
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function parseBody(raw: string, contentType: string | undefined): unknown {
  if (raw === "") return undefined;
  if (contentType?.includes("application/x-www-form-urlencoded")) {
    return Object.fromEntries(new URLSearchParams(raw));
  }
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}
