import { describe, expect, it } from "vitest";
import type { ChannelEvent } from "../events.js";
import { hasStorableIds, MAX_ID_BYTES } from "./storable-ids.js";

const message = (platformMessageId: string, platformUserId = "15551230001"): ChannelEvent => ({
  type: "message", platform: "whatsapp", channelExternalId: "1", occurredAt: new Date(), platformMessageId,
  from: { platformUserId }, kind: "text", text: "hi", raw: {},
});

describe("hasStorableIds", () => {
  it("counts UTF-8 bytes, not characters, up to MAX_ID_BYTES", () => {
    expect(hasStorableIds(message("a".repeat(MAX_ID_BYTES)))).toBe(true);
    expect(hasStorableIds(message("a".repeat(MAX_ID_BYTES + 1)))).toBe(false);
    // 342 three-byte characters are 1,026 bytes.
    expect(hasStorableIds(message("€".repeat(342)))).toBe(false);
    expect(hasStorableIds(message("wamid.1", "9".repeat(MAX_ID_BYTES + 1)))).toBe(false);
  });

  it("checks the ids each kind of event stores or looks up", () => {
    const long = "x".repeat(MAX_ID_BYTES + 1);
    const base = { platform: "messenger" as const, channelExternalId: "1", occurredAt: new Date() };
    expect(hasStorableIds({ ...base, type: "status", platformMessageId: long, status: "read" })).toBe(false);
    expect(hasStorableIds({ ...base, type: "echo", platformMessageId: "m_1", customer: { platformUserId: long }, kind: "text", text: "t", raw: {} })).toBe(false);
    expect(hasStorableIds({ ...base, type: "watermark", customerPlatformUserId: long, status: "read", upTo: new Date() })).toBe(false);
    expect(hasStorableIds({ ...base, type: "platform_error", errors: [] })).toBe(true);
  });
});
