import { describe, expect, it } from "vitest";
import { handleMetaDataDeletion, newConfirmationCode, type DataDeletionDeps } from "./handle-meta-data-deletion.js";
import type { DeletionRequest } from "./ports.js";

function deps(overrides: Partial<DataDeletionDeps> = {}) {
  const requests = new Map<string, DeletionRequest & { platformUserId: string }>();
  const disabled: string[] = [];
  const published: unknown[] = [];
  const at = new Date("2026-12-04T03:00:00Z");
  const d: DataDeletionDeps = {
    now: () => at,
    log: { warn: () => {} },
    live: { publish: async (_p: string, e: unknown) => void published.push(e) } as unknown as DataDeletionDeps["live"],
    onChannelsChanged: () => {},
    channels: {
      liveChannelsOf: async () => [{ portfolioId: "p1", channelId: "c1" }, { portfolioId: "p2", channelId: "gone" }],
      forget: async () => 2,
    },
    disabler: { disable: async (_p, channelId) => (channelId === "gone" ? undefined : (disabled.push(channelId), { id: channelId })) },
    requests: {
      create: async (r) => void requests.set(r.confirmationCode, { ...r, state: "received", channelsDisabled: 0, userIdsRemoved: 0, failureReason: null, completedAt: null }),
      complete: async (code, removed, when) => void Object.assign(requests.get(code)!, { state: "completed", ...removed, completedAt: when }),
      fail: async (code, reason, when) => void Object.assign(requests.get(code)!, { state: "failed", failureReason: reason, completedAt: when }),
      find: async (code) => requests.get(code),
    },
    ...overrides,
  };
  return { d, requests, disabled, published };
}

describe("handleMetaDataDeletion", () => {
  it("disconnects the user's channels, tolerates one that vanished meanwhile, and records the counts", async () => {
    const { d, requests, disabled, published } = deps();
    const result = await handleMetaDataDeletion("218471", d);
    expect(result.state).toBe("completed");
    expect(disabled).toEqual(["c1"]);
    expect(published).toMatchObject([{ type: "channel.state", channelId: "c1", state: "disabled" }]);
    expect(requests.get(result.confirmationCode)).toMatchObject({ platformUserId: "218471", state: "completed", channelsDisabled: 1, userIdsRemoved: 2 });
  });

  it("records a failure on the request instead of throwing, so Meta still gets a code", async () => {
    const { d, requests } = deps({ channels: { liveChannelsOf: async () => { throw new Error("db down"); }, forget: async () => 0 } });
    const result = await handleMetaDataDeletion("218471", d);
    expect(result.state).toBe("failed");
    expect(requests.get(result.confirmationCode)).toMatchObject({ state: "failed", failureReason: expect.stringContaining("by hand") });
  });

  it("makes alphanumeric codes that do not repeat", () => {
    const codes = new Set(Array.from({ length: 200 }, newConfirmationCode));
    expect(codes.size).toBe(200);
    for (const code of codes) expect(code).toMatch(/^[A-Za-z0-9]{20}$/);
  });
});
