// Property-based fuzzing of the webhook endpoint (issue 7, item 3). Real-format payloads of all three
// platforms are mutated (missing fields, wrong types, huge strings, deep nesting, odd unicode,
// duplicated keys, bad UTF-8 bytes, ...), signed, and POSTed to the real app on its real database.
// Properties: the answer is exactly what the spec asks for (never a 5xx while storage is up), no
// promise is left rejected, and only what the parser validates is stored, in the right portfolio.
//
// FUZZ_RUNS scales the number of cases (default about 10,500 per run); FUZZ_SEED replays a run.
// A failure prints the counterexample and the FUZZ_SEED and FUZZ_RUNS that replay it.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Platform } from "../../src/core/events.js";
import { APP_SECRET } from "../support/cosbot-under-test.js";
import { type FuzzServer, MAX_BODY_BYTES, RECIPIENTS, SECRET_B, sign, startFuzzServer, UNKNOWN_RECIPIENTS } from "./fuzz-harness.js";
import { applyByteMutation, applyMutations, byteMutation, type Mutation, mutation, serialize, style } from "./mutate.js";
import { candidateRows, compareRows, expectedAnswer } from "./oracle.js";
import { seedsByPlatform } from "./seeds.js";

const TOTAL = Number(process.env.FUZZ_RUNS ?? 10_500);
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_204);
const PLATFORMS: Platform[] = ["whatsapp", "messenger", "instagram"];
/** Most cases stop at routing (unknown recipients); one in twenty goes all the way into the database. */
const STORE_RUNS = Math.max(30, Math.round((TOTAL * 0.05) / 3));
const SIGNATURE_RUNS = Math.max(30, Math.round(TOTAL * 0.02));
const FAST_RUNS = Math.max(100, Math.round((TOTAL - 3 * STORE_RUNS - SIGNATURE_RUNS) / 3));

let server: FuzzServer;
const rejections: unknown[] = [];
const onRejection = (reason: unknown) => void rejections.push(reason);
let caseNo = 0;
/** Unique to one execution of one case (shrinking re-runs get new ones), never a substring of another. */
const nextTag = () => `Z${++caseNo}Q`;

beforeAll(async () => {
  process.on("unhandledRejection", onRejection);
  server = await startFuzzServer();
});

afterAll(async () => {
  await server?.close();
  process.off("unhandledRejection", onRejection);
});

const params = (numRuns: number, offset: number) => ({ numRuns, seed: SEED + offset, endOnFailure: false });

/** fc.assert, with the settings that replay the failing run named in the error. */
async function check<T>(property: fc.IAsyncProperty<T>, options: fc.Parameters<T>): Promise<void> {
  try {
    await fc.assert(property, options);
  } catch (error) {
    const replay = `replay with FUZZ_SEED=${SEED} FUZZ_RUNS=${TOTAL} (fast-check seed ${options.seed})`;
    throw Object.assign(new Error(`${(error as Error).message}\n${replay}`), { cause: error });
  }
}
/** Generous, so a loaded machine or a large FUZZ_RUNS does not time out (a timed-out property would run on into the next test). */
const timeout = (runs: number, msPerRun: number) => 60_000 + runs * msPerRun;

async function settleRejections(): Promise<void> {
  // Rejections are reported after the microtask queue drains: give them a turn.
  await new Promise((r) => setImmediate(r));
  expect(rejections, "unhandled rejections during the fuzz").toEqual([]);
}

describe.each(PLATFORMS.map((p, i) => [p, i] as const))("%s webhooks under fuzz", (platform, index) => {
  const seeds = seedsByPlatform[platform];
  /** `byteOdds`: one case in that many also gets its bytes broken (bad UTF-8, a cut, a BOM). */
  const caseArb = (maxMutations: number, byteOdds: number) =>
    fc.record({
      seed: fc.nat(seeds.length - 1),
      // One case in eight unmutated: the baseline every mutation is measured against.
      mutations: fc.oneof({ weight: 1, arbitrary: fc.constant<Mutation[]>([]) }, { weight: 7, arbitrary: fc.array(mutation, { minLength: 1, maxLength: maxMutations }) }),
      style,
      bytes: fc.oneof({ weight: byteOdds - 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: byteMutation }),
    });

  it(`answers exactly as specified to ${FAST_RUNS} mutated bodies for unknown recipients, storing nothing`, async () => {
    const before = await server.counts();
    const recipient = UNKNOWN_RECIPIENTS[platform];
    await check(
      fc.asyncProperty(caseArb(5, 8), async (c) => {
        const payload = applyMutations(seeds[c.seed]!.build({ tag: nextTag(), recipient }), c.mutations, { recipient, other: `${recipient}8` });
        const body = applyByteMutation(Buffer.from(serialize(payload, c.style)), c.bytes);
        const expected = expectedAnswer(platform, body, true, MAX_BODY_BYTES);
        const res = await server.fetchApp(platform, body, sign(body, APP_SECRET));
        await res.arrayBuffer();
        expect(res.status).toBe(expected.status);
      }),
      params(FAST_RUNS, index),
    );
    expect(await server.counts()).toEqual(before);
    await settleRejections();
  }, timeout(FAST_RUNS, 20));

  it(`stores exactly what the parser validates for ${STORE_RUNS} mutated bodies to connected channels`, async () => {
    const storeArb = fc.record({
      c: caseArb(2, 15),
      target: fc.constantFrom("a" as const, "b" as const),
      // Mostly each portfolio's own secret; sometimes the other tenant's, which must not store.
      ownSecret: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    });
    let storedAny = 0;
    await check(
      fc.asyncProperty(storeArb, async ({ c, target, ownSecret }) => {
        const tag = nextTag();
        const seed = seeds[c.seed]!;
        const recipient = RECIPIENTS[platform][target];
        const other = RECIPIENTS[platform][target === "a" ? "b" : "a"];
        const payload = applyMutations(seed.build({ tag, recipient }), c.mutations, { recipient, other });
        const body = applyByteMutation(Buffer.from(serialize(payload, c.style)), c.bytes);
        const secret = (target === "a") === ownSecret ? APP_SECRET : SECRET_B;
        const expected = expectedAnswer(platform, body, true, MAX_BODY_BYTES);
        const lastId = await server.lastMessageId();
        const res = await server.postHttp(platform, body, sign(body, secret));
        await res.arrayBuffer();
        expect(res.status).toBe(expected.status);

        const rows = await server.rowsAfter(lastId);
        storedAny += rows.length;
        const candidates = expected.parsed ? candidateRows(expected.parsed, server.channels, secret, tag) : [];
        const stored = new Set(rows.map((r) => `${r.channelId}\u0001${r.platformMessageId}`));
        expect(compareRows(rows, candidates, server.byId, stored)).toEqual([]);
        if (c.mutations.length === 0 && c.bytes === null && ownSecret) {
          expect(rows.length, `unmutated "${seed.name}"`).toBe(seed.rows);
        }
      }),
      params(STORE_RUNS, 10 + index),
    );
    // The oracle must not pass by storing nothing at all.
    expect(storedAny).toBeGreaterThan(STORE_RUNS / 10);
    await settleRejections();
  }, timeout(STORE_RUNS, 300));
});

describe("webhook signatures under fuzz", () => {
  it(`refuses ${SIGNATURE_RUNS} mutated bodies to connected channels that are unsigned or wrongly signed, storing nothing`, async () => {
    const before = await server.counts();
    const wrongSignature = fc.constantFrom("none", "other-secret", "stale", "sha1", "junk-hex", "truncated", "trailing", "empty-secret");
    const arb = fc.record({
      platform: fc.constantFrom(...PLATFORMS),
      seed: fc.nat(100),
      mutations: fc.array(mutation, { maxLength: 3 }),
      style,
      how: wrongSignature,
    });
    await check(
      fc.asyncProperty(arb, async (c) => {
        const seeds = seedsByPlatform[c.platform];
        const recipient = RECIPIENTS[c.platform].a;
        const original = seeds[c.seed % seeds.length]!.build({ tag: nextTag(), recipient });
        const body = Buffer.from(serialize(applyMutations(original, c.mutations, { recipient, other: RECIPIENTS[c.platform].b }), c.style));
        const good = sign(body, APP_SECRET);
        const signature = {
          none: null,
          "other-secret": sign(body, "not_the_app_secret"),
          // Signed before the bytes changed (a payload tampered in flight); equal only when no mutation changed a byte.
          stale: sign(Buffer.from(serialize(original, c.style)), APP_SECRET),
          sha1: `sha1=${good.slice(7, 47)}`,
          "junk-hex": `sha256=${"z".repeat(64)}`,
          truncated: good.slice(0, -2),
          trailing: `${good}00`,
          "empty-secret": sign(body, ""),
        }[c.how];
        const signed = signature === good;
        const expected = expectedAnswer(c.platform, body, signed, MAX_BODY_BYTES);
        const res = await server.fetchApp(c.platform, body, signature);
        await res.arrayBuffer();
        expect(res.status).toBe(expected.status);
        if (!signed) expect(res.status).toBe(401);
      }),
      params(SIGNATURE_RUNS, 20),
    );
    // Any `stale` case whose mutations left the bytes as they were is signed correctly and may store.
    const after = await server.counts();
    expect(after.messages - before.messages).toBeLessThanOrEqual(SIGNATURE_RUNS);
    await settleRejections();
  }, timeout(SIGNATURE_RUNS, 20));
});

describe("bodies near and over WEBHOOK_MAX_BODY_BYTES", () => {
  it("stores a body of exactly the limit and refuses one byte more with 413, in process and over HTTP", async () => {
    const arb = fc.record({
      platform: fc.constantFrom(...PLATFORMS),
      delta: fc.constantFrom(-1000, -1, 0, 1, 1000, MAX_BODY_BYTES),
      http: fc.boolean(),
      target: fc.constantFrom("a" as const, "b" as const),
    });
    await check(
      fc.asyncProperty(arb, async ({ platform, delta, http, target }) => {
        const tag = nextTag();
        const recipient = RECIPIENTS[platform][target];
        const seed = seedsByPlatform[platform][0]!; // a text message
        const payload = seed.build({ tag, recipient }) as Record<string, unknown>;
        const empty = Buffer.byteLength(serialize({ ...payload, padding: "" }, "meta"));
        const size = MAX_BODY_BYTES + delta;
        const body = Buffer.from(serialize({ ...payload, padding: "x".repeat(size - empty) }, "meta"));
        expect(body.length).toBe(size);
        const secret = target === "a" ? APP_SECRET : SECRET_B;
        const lastId = await server.lastMessageId();
        const res = await (http ? server.postHttp : server.fetchApp)(platform, body, sign(body, secret));
        await res.arrayBuffer();
        expect(res.status).toBe(size > MAX_BODY_BYTES ? 413 : 200);
        const rows = await server.rowsAfter(lastId);
        expect(rows.length).toBe(size > MAX_BODY_BYTES ? 0 : seed.rows);
      }),
      { ...params(18, 30), examples: [[{ platform: "whatsapp", delta: 0, http: true, target: "a" }], [{ platform: "messenger", delta: 1, http: false, target: "b" }]] },
    );
    await settleRejections();
  }, timeout(18, 2_000));
});
