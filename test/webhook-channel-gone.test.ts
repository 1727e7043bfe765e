import { eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { channels } from "../src/db/schema/index.js";
import { type Harness, PNID, startCosbot } from "./support/cosbot-under-test.js";
import { customerText } from "./support/payloads.js";

let h: Harness;
beforeAll(async () => {
  h = await startCosbot();
});
afterAll(async () => h?.close());

// Another process deleted the portfolio, or this one did while the webhook was in flight: routing
// still knows the channel, the rows are gone. Meta must get a 200, or it retries for days.
it("acknowledges a webhook for a channel deleted after routing found it, storing nothing", async () => {
  expect((await h.post(customerText("wamid.GONE_1", "hello"))).status).toBe(200);
  await h.settle();
  expect((await h.messages()).filter((m) => m.direction === "in")).toHaveLength(1);

  await h.cosbot.database.db.delete(channels).where(eq(channels.externalId, PNID));
  expect(await h.cosbot.directory.find("whatsapp", PNID)).toBeDefined();

  const res = await h.post(customerText("wamid.GONE_2", "still there?"));
  expect(res.status).toBe(200);
  expect(await h.messages()).toHaveLength(0);
  expect(h.cosbot.counters.get("webhook_unknown_recipient", { platform: "whatsapp" })).toBe(1);
  expect(await h.cache.kv.keys("dedup:")).not.toContainEqual(expect.stringContaining("GONE_2"));
});
