import { afterAll, afterEach, describe, expect, it } from "vitest";
import { MemoryKeyValue } from "../../cache/memory.js";
import type { SubscribedChannel } from "../channels/ports.js";
import { AppError } from "../errors.js";
import { type DeletePortfolioDeps, deletePortfolio, type PortfolioDeletionStore } from "./delete-portfolio.js";

const kv = new MemoryKeyValue();
afterEach(async () => {
  await kv.delete(...(await kv.keys("")));
});
afterAll(() => kv.close());

function setup(overrides: Partial<DeletePortfolioDeps> = {}) {
  const steps: string[] = [];
  const channel: SubscribedChannel = { channelId: "ch-1", platform: "messenger", externalId: "P1", accountId: null, credentials: { accessToken: "T" } };
  const store: PortfolioDeletionStore = {
    portfolioName: async (id) => (id === "p-1" ? "Corner Bakery" : undefined),
    erase: async () => (steps.push("erase"), { ids: ["ch-1", "ch-old"], subscribed: [channel] }),
  };
  const deps: DeletePortfolioDeps = {
    store,
    cache: kv,
    unsubscribers: { messenger: { platform: "messenger", subscription: (c) => ({ objectId: c.externalId }), unsubscribe: async () => void steps.push("unsubscribe") } },
    sharing: { liveChannelsOn: async () => [] },
    onChannelsChanged: () => steps.push("routing reloaded"),
    live: {
      publish: async (_id, event) => void steps.push(`told ${event.type === "channel.state" ? `${event.channelId} ${event.state}` : event.type}`),
      forget: async (id) => void steps.push(`live log of ${id} dropped`),
    },
    log: { warn: () => {} },
    ...overrides,
  };
  return { deps, steps };
}

describe("deletePortfolio", () => {
  it("refuses a missing or wrong confirmation, saying what to type, and touches nothing", async () => {
    const { deps, steps } = setup();
    for (const confirm of [undefined, "corner bakery", "Corner"]) {
      const error = await deletePortfolio({ portfolioId: "p-1", confirm }, deps).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe("bad_request");
      expect((error as AppError).message).toContain('{ "confirm": "Corner Bakery" }');
    }
    expect(steps).toEqual([]);
  });

  it("answers not_found for a portfolio that is gone", async () => {
    const { deps } = setup();
    await expect(deletePortfolio({ portfolioId: "p-2", confirm: "x" }, deps)).rejects.toMatchObject({ code: "not_found" });
  });

  it("erases the rows first, tells open inboxes, then unsubscribes, then drops the live log and every key of its channels, old ones too", async () => {
    await kv.set("dedup:ch-1:wamid.1", "done", 60_000);
    await kv.set("dedup:ch-old:wamid.2", "done", 60_000);
    await kv.set("portfolio:p-1:anything", "x", 60_000);
    await kv.set("dedup:ch-other:wamid.3", "done", 60_000);
    const { deps, steps } = setup();
    const result = await deletePortfolio({ portfolioId: "p-1", confirm: " Corner Bakery " }, deps);
    expect(steps).toEqual(["erase", "routing reloaded", "told ch-1 disabled", "told ch-old disabled", "told portfolio.deleted", "unsubscribe", "live log of p-1 dropped"]);
    expect(result).toEqual({ deleted: true, unsubscribe: [{ channelId: "ch-1", platform: "messenger", ok: true }], cache: { ok: true, keysDeleted: 3 } });
    expect(await kv.keys("")).toEqual(["dedup:ch-other:wamid.3"]);
  });

  it("still deletes when the cache is down, and says so", async () => {
    const broken = { keys: async () => Promise.reject(new Error("Connection is closed.")), delete: async () => {} };
    const { deps, steps } = setup({ cache: broken });
    const result = await deletePortfolio({ portfolioId: "p-1", confirm: "Corner Bakery" }, deps);
    expect(steps).toContain("erase");
    expect(result.cache).toEqual({ ok: false, error: "Connection is closed." });
  });
});
