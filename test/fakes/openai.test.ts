// Proves FakeOpenAI speaks the protocol the real AI SDK expects (no SDK mocking).
import { createOpenAI } from "@ai-sdk/openai";
import { APICallError, generateText, streamText, tool } from "ai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { FakeOpenAI, firstUserText, openAIErrors } from "./openai.js";

const fake = new FakeOpenAI();
let model: ReturnType<ReturnType<typeof createOpenAI>["chat"]>;

beforeAll(async () => {
  const { url } = await fake.start();
  model = createOpenAI({ apiKey: "test", baseURL: `${url}/v1` }).chat("gpt-4o-mini");
});
afterAll(() => fake.stop());
beforeEach(() => fake.reset());

async function until(cond: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("FakeOpenAI with the real AI SDK", () => {
  it("answers generateText with the default deterministic reply and records the request", async () => {
    const result = await generateText({ model, system: "Be nice", prompt: "Are you open on Sundays?", maxOutputTokens: 100 });
    expect(result.text).toBe("Reply to: Are you open on Sundays?");
    expect(result.finishReason).toBe("stop");
    expect(result.usage.inputTokens).toBeGreaterThan(0);
    expect(fake.calls).toHaveLength(1);
    const call = fake.calls[0]!;
    expect(call.request.model).toBe("gpt-4o-mini");
    expect(call.request.messages.map((m) => m.role)).toEqual(["system", "user"]);
    expect(call.request.max_tokens).toBe(100);
    expect(call.headers.authorization).toBe("Bearer test");
    expect(call.outcome).toBe("ok");
  });

  it("uses a custom reply function (string or {text})", async () => {
    fake.reply = (req) => ({ text: `model=${req.model} n=${req.messages.length}` });
    const result = await generateText({ model, prompt: "hi" });
    expect(result.text).toBe("model=gpt-4o-mini n=1");
  });

  it("streams with streamText, including usage", async () => {
    fake.reply = () => "We open at 10 on Sundays.";
    fake.streamChunkDelayMs = 2;
    const result = streamText({ model, prompt: "Sunday?" });
    const parts: string[] = [];
    for await (const delta of result.textStream) parts.push(delta);
    expect(parts.join("")).toBe("We open at 10 on Sundays.");
    expect(parts.length).toBeGreaterThan(1);
    expect(await result.finishReason).toBe("stop");
    expect((await result.usage).outputTokens).toBeGreaterThan(0);
    expect(fake.calls[0]!.request.stream).toBe(true);
  });

  it("returns tool calls, non-streaming and streaming", async () => {
    fake.reply = () => ({ toolCalls: [{ name: "lookup_order", arguments: { orderId: "4711" } }] });
    const tools = { lookup_order: tool({ description: "Find an order", inputSchema: z.object({ orderId: z.string() }) }) };
    const result = await generateText({ model, prompt: "Where is 4711?", tools });
    expect(result.finishReason).toBe("tool-calls");
    expect(result.toolCalls[0]).toMatchObject({ toolName: "lookup_order", input: { orderId: "4711" } });
    expect(fake.calls[0]!.request.tools?.[0]?.function.name).toBe("lookup_order");

    const streamed = streamText({ model, prompt: "Where is 4711?", tools });
    const calls = await streamed.toolCalls;
    expect(calls[0]).toMatchObject({ toolName: "lookup_order", input: { orderId: "4711" } });
  });

  it("failNext yields an APICallError with the scripted status", async () => {
    fake.failNext(1, { status: 500 });
    const err = await generateText({ model, prompt: "x", maxRetries: 0 }).catch((e: unknown) => e);
    expect(APICallError.isInstance(err)).toBe(true);
    expect((err as APICallError).statusCode).toBe(500);
    expect((err as APICallError).isRetryable).toBe(true);
    // The script is used up: the next call succeeds.
    expect((await generateText({ model, prompt: "again", maxRetries: 0 })).text).toBe("Reply to: again");
  });

  it("the SDK's own retry gets past a scripted 429", async () => {
    fake.failNext(1, { status: 429, headers: { "retry-after-ms": "1" } });
    const result = await generateText({ model, prompt: "retry me" });
    expect(result.text).toBe("Reply to: retry me");
    expect(fake.calls.map((c) => c.status)).toEqual([429, 200]);
  });

  it("scripted context_length_exceeded and contextLimitTokens answer 400 in OpenAI's format", async () => {
    fake.failNext(1, openAIErrors.contextLength(16385, 17000, 1000));
    const scripted = (await generateText({ model, prompt: "x" }).catch((e: unknown) => e)) as APICallError;
    expect(scripted.statusCode).toBe(400);
    expect(JSON.parse(scripted.responseBody!).error.code).toBe("context_length_exceeded");

    fake.contextLimitTokens = 50;
    const long = "word ".repeat(100); // ~125 tokens by chars/4
    const err = (await generateText({ model, prompt: long }).catch((e: unknown) => e)) as APICallError;
    expect(APICallError.isInstance(err)).toBe(true);
    expect(err.statusCode).toBe(400);
    expect(JSON.parse(err.responseBody!).error).toMatchObject({ code: "context_length_exceeded", param: "messages", type: "invalid_request_error" });
    // Prompt fits, but prompt + max_tokens does not.
    await expect(generateText({ model, prompt: "short", maxOutputTokens: 100 })).rejects.toThrow(/maximum context length/);
    expect((await generateText({ model, prompt: "short", maxOutputTokens: 10 })).text).toBe("Reply to: short");
  });

  it("emptyNext gives a 200 with empty content", async () => {
    fake.emptyNext(1);
    expect((await generateText({ model, prompt: "hello" })).text).toBe("");
    expect(fake.calls[0]!.outcome).toBe("empty");
    const streamed = streamText({ model, prompt: "hello" });
    expect(await streamed.text).toBe("Reply to: hello");
  });

  it("hangNext never answers; the client's timeout ends the call", async () => {
    fake.hangNext(1);
    await expect(generateText({ model, prompt: "slow", maxRetries: 0, abortSignal: AbortSignal.timeout(150) })).rejects.toThrow();
    await until(() => fake.inFlight === 0);
    expect(fake.calls[0]!.outcome).toBe("hang");
    expect(fake.calls[0]!.endedAt).toBeDefined();
  });

  it("tracks inFlight, maxInFlight and per-key overlaps", async () => {
    fake.latencyMs = 80;
    const ask = (first: string) => generateText({ model, messages: [{ role: "user", content: first }, { role: "assistant", content: "ok" }, { role: "user", content: "more" }] });
    const pending = Promise.all([ask("conv-A"), ask("conv-A"), ask("conv-B")]);
    await until(() => fake.inFlight === 3);
    await pending;
    expect(fake.inFlight).toBe(0);
    expect(fake.maxInFlight).toBe(3);
    expect(fake.maxInFlightBy(firstUserText)).toEqual(new Map([["conv-A", 2], ["conv-B", 1]]));
    expect(fake.overlaps(firstUserText)).toHaveLength(1);

    fake.reset();
    fake.latencyMs = 10;
    await ask("conv-C");
    await ask("conv-C");
    expect(fake.overlaps(firstUserText)).toHaveLength(0);
    expect(fake.maxInFlightBy(firstUserText).get("conv-C")).toBe(1);
  });

  it("requires a Bearer key (OpenAI 401 format) and tolerates the path without /v1", async () => {
    const body = JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] });
    const noKey = await fetch(`${fake.url}/v1/chat/completions`, { method: "POST", body, headers: { "content-type": "application/json" } });
    expect(noKey.status).toBe(401);
    expect(((await noKey.json()) as { error: { type: string } }).error.type).toBe("invalid_request_error");

    const ok = await fetch(`${fake.url}/chat/completions`, { method: "POST", body, headers: { "content-type": "application/json", authorization: "Bearer k" } });
    const json = (await ok.json()) as Record<string, unknown>;
    expect(json).toMatchObject({
      object: "chat.completion",
      model: "gpt-4o-mini",
      choices: [{ index: 0, message: { role: "assistant", content: "Reply to: hi" }, finish_reason: "stop" }],
      usage: { prompt_tokens: 1, completion_tokens: 3, total_tokens: 4 },
    });
    expect(json.id).toMatch(/^chatcmpl-/);
    expect(typeof json.created).toBe("number");

    fake.apiKey = "right";
    const wrong = await generateText({ model, prompt: "x" }).catch((e: unknown) => e);
    expect((wrong as APICallError).statusCode).toBe(401);
  });

  it("streams raw SSE in chat.completion.chunk format ending with [DONE]", async () => {
    const res = await fetch(`${fake.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer k" },
      body: JSON.stringify({ model: "m", stream: true, messages: [{ role: "user", content: "hi there" }] }),
    });
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const lines = (await res.text()).split("\n\n").filter(Boolean);
    expect(lines.at(-1)).toBe("data: [DONE]");
    const chunks = lines.slice(0, -1).map((l) => JSON.parse(l.replace(/^data: /, "")) as { object: string; choices: Array<{ delta: { content?: string }; finish_reason: string | null }> });
    expect(chunks.every((c) => c.object === "chat.completion.chunk")).toBe(true);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe("Reply to: hi there");
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe("stop");
  });
});
