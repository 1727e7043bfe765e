import { describe, expect, it } from "vitest";
import { escapeHtml } from "../public-pages/html.js";
import { deletionStatusPage } from "./meta-deletion-status-page.js";

describe("deletion status page", () => {
  it("escapes what it prints", () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    const html = deletionStatusPage({
      confirmationCode: "ABC<b>",
      state: "failed",
      channelsDisabled: 0,
      userIdsRemoved: 0,
      failureReason: "<script>alert(1)</script>",
      receivedAt: new Date("2026-12-04T03:00:00Z"),
      completedAt: new Date("2026-12-04T03:01:00Z"),
    });
    expect(html).not.toContain("<script>alert");
    expect(html).not.toContain("ABC<b>");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).toContain("Failed: an error stopped the deletion");
    expect(html).toContain("2026-12-04 03:00 UTC");
    expect(html).toContain("Stopped</dt><dd>2026-12-04 03:01 UTC");
  });

  it("says a received request is in progress, with no completion time", () => {
    const html = deletionStatusPage({
      confirmationCode: "ABCDEFGH", state: "received", channelsDisabled: 0, userIdsRemoved: 0, failureReason: null,
      receivedAt: new Date("2026-12-04T03:00:00Z"), completedAt: null,
    });
    expect(html).toContain("Received: the deletion is in progress.");
    expect(html).not.toContain("Completed</dt>");
    expect(html).not.toContain("What was removed");
  });
});
