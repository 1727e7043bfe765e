// Fake OpenAI Chat Completions server (/v1/chat/completions), JSON and SSE streaming,
// with scripting (failures, hangs, empty replies, context limit) and concurrency records.
import type { IncomingHttpHeaders, ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import { HttpFake, sendJson, sleep, type RecordedRequest, type ScriptedResponse } from "./http-fake.js";

export interface ChatContentPart {
  type: string;
  text?: string;
  [key: string]: unknown;
}
export interface ChatMessage {
  role: "system" | "developer" | "user" | "assistant" | "tool" | (string & {});
  content?: string | ChatContentPart[] | null;
  tool_calls?: Array<{ id: string; type: "function"; function: { name: string; arguments: string } }>;
  tool_call_id?: string;
  name?: string;
}
export interface ChatTool {
  type: "function";
  function: { name: string; description?: string; parameters?: unknown };
}
/** The parsed request body, as the AI SDK sends it. */
export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean } | null;
  max_tokens?: number;
  max_completion_tokens?: number;
  tools?: ChatTool[];
  [key: string]: unknown;
}

export interface FakeToolCall {
  name: string;
  /** Objects are JSON-encoded, as OpenAI sends arguments as a string. */
  arguments: string | Record<string, unknown>;
  id?: string;
}
export type ReplySpec =
  | string
  | { text: string; finishReason?: "stop" | "length" | "content_filter" }
  | { toolCalls: FakeToolCall[]; text?: string };
export type ReplyFn = (request: ChatRequest, call: ChatCall) => ReplySpec | Promise<ReplySpec>;

export type CallOutcome = "pending" | "ok" | "empty" | "error" | "hang" | "aborted" | "unauthorized";
export interface ChatCall {
  n: number;
  path: string;
  request: ChatRequest;
  headers: IncomingHttpHeaders;
  /** Wall-clock ms of arrival. */
  at: number;
  /** Monotonic ms (performance.now) bounds of the call, for overlap maths; endedAt unset while in flight. */
  startedAt: number;
  endedAt?: number;
  outcome: CallOutcome;
  status?: number;
}

type Step = { kind: "fail"; response: ScriptedResponse } | { kind: "hang" } | { kind: "empty" } | { kind: "noChoices" } | { kind: "malformed" };

/** An error response in OpenAI's format, ready for failNext. */
export function openAIError(status: number, message: string, type: string, code: string | null = null, param: string | null = null): ScriptedResponse {
  return { status, body: { error: { message, type, param, code } } };
}

export const openAIErrors = {
  server: () => openAIError(500, "The server had an error while processing your request. Sorry about that!", "server_error"),
  rateLimit: () =>
    openAIError(429, "Rate limit reached for gpt-4o-mini in organization org-fake on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s.", "requests", "rate_limit_exceeded"),
  contextLength: (limit = 16385, messages = limit, completion = 0) =>
    openAIError(400,
      `This model's maximum context length is ${limit} tokens. However, you requested ${messages + completion} tokens (${messages} in the messages, ${completion} in the completion). Please reduce the length of the messages or completion.`,
      "invalid_request_error", "context_length_exceeded", "messages"),
  unauthorized: () =>
    openAIError(401, "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).", "invalid_request_error"),
};

/** Plain text of a message (string content or its text parts). */
export function messageText(message: ChatMessage | undefined): string {
  const content = message?.content;
  if (typeof content === "string") return content;
  return (content ?? []).map((p) => p.text ?? "").join("");
}
export function firstUserText(request: ChatRequest): string {
  return messageText(request.messages.find((m) => m.role === "user"));
}
export function lastUserText(request: ChatRequest): string {
  return messageText([...request.messages].reverse().find((m) => m.role === "user"));
}
/** chars/4 over message text and tool-call arguments; the same rough rule the context limit uses. */
export function estimatePromptTokens(request: ChatRequest): number {
  let chars = 0;
  for (const m of request.messages) {
    chars += messageText(m).length;
    for (const tc of m.tool_calls ?? []) chars += tc.function.arguments.length;
  }
  return Math.ceil(chars / 4);
}

const defaultReply: ReplyFn = (request) => `Reply to: ${lastUserText(request)}`;

export class FakeOpenAI extends HttpFake {
  reply: ReplyFn = defaultReply;
  /** Added before every completion; a function lets one test slow only some calls. */
  latencyMs: number | ((request: ChatRequest) => number) = 0;
  /** Pause between SSE chunks. */
  streamChunkDelayMs = 0;
  /** When set, prompt + requested completion tokens above this get context_length_exceeded. */
  contextLimitTokens: number | undefined;
  /** When set, only this key is accepted (else any Bearer key). */
  apiKey: string | undefined;
  readonly calls: ChatCall[] = [];
  maxInFlight = 0;

  private script: Step[] = [];
  private live = new Set<ChatCall>();
  private counter = 0;

  get inFlight(): number {
    return this.live.size;
  }

  failNext(n: number, response: { status: number; body?: unknown; headers?: Record<string, string>; delayMs?: number }): void {
    const full = { ...response, body: response.body ?? defaultErrorBody(response.status) };
    for (let i = 0; i < n; i++) this.script.push({ kind: "fail", response: full });
  }
  hangNext(n: number): void {
    for (let i = 0; i < n; i++) this.script.push({ kind: "hang" });
  }
  /** The next n calls succeed with content "". */
  emptyNext(n: number): void {
    for (let i = 0; i < n; i++) this.script.push({ kind: "empty" });
  }
  /** The next n calls answer 200 with `choices: []` (a broken proxy or gateway). */
  noChoicesNext(n: number): void {
    for (let i = 0; i < n; i++) this.script.push({ kind: "noChoices" });
  }
  /** The next n calls answer 200 with a body cut off mid-JSON. */
  malformedNext(n: number): void {
    for (let i = 0; i < n; i++) this.script.push({ kind: "malformed" });
  }

  /** Highest number of simultaneous calls per key (calls whose key is undefined are ignored). */
  maxInFlightBy(keyFn: (request: ChatRequest) => string | undefined): Map<string, number> {
    const result = new Map<string, number>();
    for (const [key, calls] of groupBy(this.calls, keyFn)) {
      const events = calls.flatMap((c) => [
        { t: c.startedAt, d: 1 },
        { t: c.endedAt ?? Infinity, d: -1 },
      ]);
      // Ends sort before starts at the same instant: back-to-back calls do not overlap.
      events.sort((a, b) => a.t - b.t || a.d - b.d);
      let cur = 0;
      let max = 0;
      for (const e of events) max = Math.max(max, (cur += e.d));
      result.set(key, max);
    }
    return result;
  }

  /** Pairs of calls with the same key whose lifetimes overlapped. */
  overlaps(keyFn: (request: ChatRequest) => string | undefined): Array<[ChatCall, ChatCall]> {
    const pairs: Array<[ChatCall, ChatCall]> = [];
    for (const calls of groupBy(this.calls, keyFn).values()) {
      for (let i = 0; i < calls.length; i++) {
        for (let j = i + 1; j < calls.length; j++) {
          const a = calls[i]!;
          const b = calls[j]!;
          if (a.startedAt < (b.endedAt ?? Infinity) && b.startedAt < (a.endedAt ?? Infinity)) pairs.push([a, b]);
        }
      }
    }
    return pairs;
  }

  override reset(): void {
    super.reset();
    this.reply = defaultReply;
    this.latencyMs = 0;
    this.streamChunkDelayMs = 0;
    this.contextLimitTokens = undefined;
    this.apiKey = undefined;
    this.calls.length = 0;
    this.script = [];
    this.maxInFlight = this.live.size;
  }

  protected async handle(req: RecordedRequest, res: ServerResponse): Promise<void> {
    const isChat = req.path === "/v1/chat/completions" || req.path === "/chat/completions";
    if (req.method !== "POST" || !isChat) {
      return sendJson(res, 404, openAIError(404, `Invalid URL (${req.method} ${req.path})`, "invalid_request_error").body);
    }
    const request = req.body as ChatRequest;
    if (!request || typeof request !== "object" || !Array.isArray(request.messages)) {
      return sendJson(res, 400, openAIError(400, "'messages' is a required property", "invalid_request_error", null, "messages").body);
    }
    const call: ChatCall = {
      n: ++this.counter, path: req.path, request, headers: req.headers,
      at: Date.now(), startedAt: performance.now(), outcome: "pending",
    };
    this.calls.push(call);
    this.live.add(call);
    this.maxInFlight = Math.max(this.maxInFlight, this.live.size);
    res.on("close", () => this.finish(call, "aborted"));

    const auth = req.headers.authorization;
    const key = typeof auth === "string" ? /^Bearer\s+(\S+)/i.exec(auth)?.[1] : undefined;
    if (!key || (this.apiKey !== undefined && key !== this.apiKey)) {
      const err = key
        ? openAIError(401, `Incorrect API key provided: ${key}.`, "invalid_request_error", "invalid_api_key")
        : openAIErrors.unauthorized();
      return this.respond(res, call, "unauthorized", err);
    }

    const step = this.script.shift(); // taken on arrival so concurrent calls keep script order
    await sleep(typeof this.latencyMs === "function" ? this.latencyMs(request) : this.latencyMs);
    if (step?.kind === "hang") {
      call.outcome = "hang";
      return this.hang(res);
    }
    if (step?.kind === "fail") {
      await sleep(step.response.delayMs ?? 0);
      return this.respond(res, call, "error", step.response);
    }
    if (step?.kind === "noChoices") {
      return this.respond(res, call, "empty", { status: 200, body: { ...envelope(call, "chat.completion"), choices: [], usage: null } });
    }
    if (step?.kind === "malformed") {
      this.finish(call, "error", 200);
      res.writeHead(200, { "content-type": "application/json", "x-request-id": `req_fake_${call.n}` });
      return void res.end(`{"id":"chatcmpl-FAKE${call.n}","object":"chat.completion","choices":[{"index":0,"message":{"role":"assis`);
    }
    if (this.contextLimitTokens !== undefined) {
      const prompt = estimatePromptTokens(request);
      const completion = request.max_completion_tokens ?? request.max_tokens ?? 0;
      if (prompt + completion > this.contextLimitTokens) {
        return this.respond(res, call, "error", openAIErrors.contextLength(this.contextLimitTokens, prompt, completion));
      }
    }

    let spec: ReplySpec;
    try {
      spec = step?.kind === "empty" ? "" : await this.reply(request, call);
    } catch (err) {
      return this.respond(res, call, "error", openAIError(500, `fake reply function threw: ${String(err)}`, "server_error"));
    }
    const outcome = step?.kind === "empty" ? "empty" : "ok";
    if (request.stream) return this.stream(res, call, outcome, spec);
    this.respond(res, call, outcome, { status: 200, body: completionBody(call, spec) });
  }

  private respond(res: ServerResponse, call: ChatCall, outcome: CallOutcome, r: ScriptedResponse): void {
    this.finish(call, outcome, r.status); // mark the end before the client can see it
    sendJson(res, r.status, r.body, { "x-request-id": `req_fake_${call.n}`, ...r.headers });
  }

  private async stream(res: ServerResponse, call: ChatCall, outcome: CallOutcome, spec: ReplySpec): Promise<void> {
    res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", "x-request-id": `req_fake_${call.n}` });
    const chunks = streamChunks(call, spec);
    for (const [i, chunk] of chunks.entries()) {
      if (res.destroyed) return;
      res.write(`data: ${JSON.stringify(chunk)}\n\n`);
      if (i < chunks.length - 1) await sleep(this.streamChunkDelayMs);
    }
    this.finish(call, outcome, 200);
    res.end("data: [DONE]\n\n");
  }

  private finish(call: ChatCall, outcome: CallOutcome, status?: number): void {
    if (call.endedAt !== undefined) return;
    call.endedAt = performance.now();
    if (call.outcome !== "hang") call.outcome = outcome; // a hang stays a hang when the client gives up
    call.status = status;
    this.live.delete(call);
  }
}

interface Normalized {
  text: string | null;
  toolCalls: Array<{ id: string; type: "function"; function: { name: string; arguments: string } }>;
  finishReason: string;
}

function normalize(spec: ReplySpec, n: number): Normalized {
  if (typeof spec === "string") return { text: spec, toolCalls: [], finishReason: "stop" };
  if ("toolCalls" in spec) {
    const toolCalls = spec.toolCalls.map((tc, i) => ({
      id: tc.id ?? `call_FAKE_${n}_${i}`,
      type: "function" as const,
      function: { name: tc.name, arguments: typeof tc.arguments === "string" ? tc.arguments : JSON.stringify(tc.arguments) },
    }));
    return { text: spec.text ?? null, toolCalls, finishReason: "tool_calls" };
  }
  return { text: spec.text, toolCalls: [], finishReason: spec.finishReason ?? "stop" };
}

function usageOf(call: ChatCall, r: Normalized) {
  const outChars = (r.text ?? "").length + r.toolCalls.reduce((s, tc) => s + tc.function.arguments.length, 0);
  const prompt_tokens = estimatePromptTokens(call.request);
  const completion_tokens = Math.ceil(outChars / 4);
  return { prompt_tokens, completion_tokens, total_tokens: prompt_tokens + completion_tokens };
}

function envelope(call: ChatCall, object: string) {
  return {
    id: `chatcmpl-FAKE${call.n}`,
    object,
    created: Math.floor(call.at / 1000),
    model: call.request.model,
    system_fingerprint: "fp_fake",
  };
}

function completionBody(call: ChatCall, spec: ReplySpec) {
  const r = normalize(spec, call.n);
  const message: Record<string, unknown> = { role: "assistant", content: r.text, refusal: null, annotations: [] };
  if (r.toolCalls.length > 0) message.tool_calls = r.toolCalls;
  return {
    ...envelope(call, "chat.completion"),
    choices: [{ index: 0, message, logprobs: null, finish_reason: r.finishReason }],
    usage: usageOf(call, r),
  };
}

/** chat.completion.chunk objects in OpenAI's order: role, content deltas, tool-call deltas, finish, usage. */
function streamChunks(call: ChatCall, spec: ReplySpec): object[] {
  const r = normalize(spec, call.n);
  const withUsage = call.request.stream_options?.include_usage === true;
  const base = envelope(call, "chat.completion.chunk");
  const chunk = (delta: object, finish_reason: string | null = null) => ({
    ...base,
    choices: [{ index: 0, delta, logprobs: null, finish_reason }],
    ...(withUsage ? { usage: null } : {}),
  });
  const out: object[] = [chunk({ role: "assistant", content: r.text === null ? null : "", refusal: null })];
  for (const piece of r.text?.match(/\S+\s*|\s+/g) ?? []) out.push(chunk({ content: piece }));
  r.toolCalls.forEach((tc, index) => {
    out.push(chunk({ tool_calls: [{ index, id: tc.id, type: "function", function: { name: tc.function.name, arguments: "" } }] }));
    out.push(chunk({ tool_calls: [{ index, function: { arguments: tc.function.arguments } }] }));
  });
  out.push(chunk({}, r.finishReason));
  if (withUsage) out.push({ ...base, choices: [], usage: usageOf(call, r) });
  return out;
}

function defaultErrorBody(status: number): unknown {
  if (status === 429) return openAIErrors.rateLimit().body;
  if (status === 401) return openAIErrors.unauthorized().body;
  if (status >= 500) return openAIErrors.server().body;
  return openAIError(status, "Invalid request (scripted by FakeOpenAI).", "invalid_request_error").body;
}

function groupBy(calls: ChatCall[], keyFn: (request: ChatRequest) => string | undefined): Map<string, ChatCall[]> {
  const groups = new Map<string, ChatCall[]>();
  for (const c of calls) {
    const key = keyFn(c.request);
    if (key === undefined) continue;
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  return groups;
}
