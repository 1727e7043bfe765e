import { describe, expect, it } from "vitest";
import { can } from "./policy.js";

describe("can", () => {
  it("lets every role read and answer conversations", () => {
    for (const role of ["owner", "admin", "agent"] as const) {
      expect(can(role, "conversations:read")).toBe(true);
      expect(can(role, "conversations:write")).toBe(true);
    }
  });

  it("keeps channels, the agent and members to owners and admins", () => {
    for (const action of ["channels:manage", "agent:manage", "members:manage"] as const) {
      expect(can("owner", action)).toBe(true);
      expect(can("admin", action)).toBe(true);
      expect(can("agent", action)).toBe(false);
    }
  });

  it("lets only the owner delete the portfolio", () => {
    expect(can("owner", "portfolio:delete")).toBe(true);
    expect(can("admin", "portfolio:delete")).toBe(false);
    expect(can("agent", "portfolio:delete")).toBe(false);
  });

  it("keeps a customer's export and erasure to owners and admins", () => {
    for (const action of ["customers:export", "customers:erase"] as const) {
      expect(can("owner", action)).toBe(true);
      expect(can("admin", action)).toBe(true);
      expect(can("agent", action)).toBe(false);
    }
  });
});
