// The outside services of the bench in a process of their own (so they take no CPU from the load
// generator's event loop): the WhatsApp Cloud API's message sends and a Chat Completions model of
// fixed latency, both on 127.0.0.1. Lean on purpose: the test fakes record every request, which
// at 100,000 messages would measure the fake. Prints "listening <url>" once ready.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { readBody } from "../test/fakes/http-fake.js";

let modelLatencyMs = Number(process.env.FAKE_MODEL_LATENCY_MS ?? 200);
const stats = { sends: 0, reads: 0, completions: 0, unknown: 0 };
/** Wall-clock ms (sub-ms precision) of the latest text send to each recipient ("+1555..."). */
const sentAt = new Map<string, number>();
const waiters = new Map<string, Array<(at: number) => void>>();
let outId = 0;

const wallNow = () => performance.timeOrigin + performance.now();

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const at = wallNow();
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  const raw = await readBody(req);
  const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};

  if (req.method === "POST" && url.pathname === "/v1/chat/completions") {
    stats.completions++;
    await new Promise((r) => setTimeout(r, modelLatencyMs));
    return json(res, 200, {
      id: `chatcmpl-bench-${stats.completions}`,
      object: "chat.completion",
      created: Math.floor(Date.now() / 1000),
      model: String(body.model ?? "gpt-4o-mini"),
      choices: [{ index: 0, message: { role: "assistant", content: "Thanks for your message! We open at 9 tomorrow." }, finish_reason: "stop" }],
      usage: { prompt_tokens: 50, completion_tokens: 12, total_tokens: 62 },
    });
  }
  const send = /^\/v\d+\.\d+\/([^/]+)\/messages$/.exec(url.pathname);
  if (req.method === "POST" && send) {
    if (body.status === "read") {
      stats.reads++;
      return json(res, 200, { success: true });
    }
    stats.sends++;
    const to = String(body.to ?? body.recipient ?? "");
    sentAt.set(to, at);
    for (const wake of waiters.get(to) ?? []) wake(at);
    waiters.delete(to);
    return json(res, 200, {
      messaging_product: "whatsapp",
      contacts: [{ input: to, wa_id: to.replace(/^\+/, "") }],
      messages: [{ id: `wamid.BENCHOUT${String(++outId).padStart(12, "0")}` }],
    });
  }
  if (url.pathname === "/__bench/stats") return json(res, 200, stats);
  if (url.pathname === "/__bench/config" && req.method === "POST") {
    if (typeof body.modelLatencyMs === "number") modelLatencyMs = body.modelLatencyMs;
    return json(res, 200, { modelLatencyMs });
  }
  if (url.pathname === "/__bench/sent") {
    // Long poll: the time of the send to `to`, once it has happened (or 404 after `timeoutMs`).
    const to = url.searchParams.get("to") ?? "";
    const known = sentAt.get(to);
    if (known !== undefined) return json(res, 200, { at: known });
    const timer = setTimeout(() => json(res, 404, { error: "no send yet" }), Number(url.searchParams.get("timeoutMs") ?? 30_000));
    const list = waiters.get(to) ?? [];
    list.push((sent) => {
      clearTimeout(timer);
      json(res, 200, { at: sent });
    });
    waiters.set(to, list);
    return;
  }
  stats.unknown++;
  json(res, 404, { error: { message: `bench fake: no route for ${req.method} ${url.pathname}`, code: 100 } });
}

const server = createServer((req, res) => {
  handle(req, res).catch((error: unknown) => json(res, 500, { error: { message: String(error) } }));
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => {
  const { port } = server.address() as AddressInfo;
  console.log(`listening http://127.0.0.1:${port}`);
});
process.on("SIGTERM", () => process.exit(0));
