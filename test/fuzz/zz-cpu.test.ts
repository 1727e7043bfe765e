import fc from "fast-check";
import { it } from "vitest";
import { MAX_BODY_BYTES, UNKNOWN_RECIPIENTS, sign, startFuzzServer } from "./fuzz-harness.js";
import { APP_SECRET } from "../support/cosbot-under-test.js";
import { applyByteMutation, applyMutations, byteMutation, mutation, serialize, style } from "./mutate.js";
import { expectedAnswer } from "./oracle.js";
import { seedsByPlatform } from "./seeds.js";
it("cpu", async () => {
  const s = await startFuzzServer();
  const seeds = seedsByPlatform.whatsapp;
  const arb = fc.record({ seed: fc.nat(seeds.length - 1), mutations: fc.array(mutation, { minLength: 1, maxLength: 5 }), style, bytes: fc.oneof({ weight: 7, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: byteMutation }) });
  const samples = fc.sample(arb, { numRuns: 1000, seed: 1 });
  const t = { gen: 0, oracle: 0, app: 0 };
  const big: Array<[number, string]> = [];
  for (const c of samples) {
    const c0 = performance.now();
    const recipient = UNKNOWN_RECIPIENTS.whatsapp;
    const payload = applyMutations(seeds[c.seed]!.build({ tag: "ZQ", recipient }), c.mutations, { recipient, other: "1" });
    const body = applyByteMutation(Buffer.from(serialize(payload, c.style)), c.bytes);
    const c1 = performance.now();
    expectedAnswer("whatsapp", body, true, MAX_BODY_BYTES);
    const c2 = performance.now();
    const res = await s.fetchApp("whatsapp", body, sign(body, APP_SECRET));
    await res.arrayBuffer();
    const c3 = performance.now();
    t.gen += c1 - c0; t.oracle += c2 - c1; t.app += c3 - c2;
    big.push([c3 - c0, JSON.stringify(c.mutations.map((m) => m.op + ("size" in m ? m.size : "") + ("depth" in m ? m.depth : "")))]);
  }
  big.sort((a, b) => b[0] - a[0]);
  console.log("CPU", JSON.stringify(t), big.slice(0, 12));
  await s.close();
});
