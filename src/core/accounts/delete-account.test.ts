import { describe, expect, it } from "vitest";
import { type AccountStore, deleteAccount } from "./delete-account.js";

function store(portfolios: { portfolioId: string; name: string; role: string }[]) {
  const erased: string[] = [];
  const s: AccountStore = { portfoliosOf: async () => portfolios, erase: async ({ userId }) => (erased.push(userId), true) };
  return { s, erased };
}
const me = { userId: "u-1", email: "ada@example.test" };

describe("deleteAccount", () => {
  it("refuses with conflict while the user belongs to a portfolio, naming each", async () => {
    const { s, erased } = store([{ portfolioId: "p-1", name: "Corner Bakery", role: "owner" }, { portfolioId: "p-2", name: "Fish Shop", role: "agent" }]);
    await expect(deleteAccount({ ...me, confirm: me.email }, { store: s })).rejects.toMatchObject({
      code: "conflict",
      message: 'leave or delete these portfolios first: "Corner Bakery" (p-1, owner), "Fish Shop" (p-2, agent)',
    });
    expect(erased).toEqual([]);
  });

  it("wants the e-mail address typed (any case), and says so", async () => {
    const { s, erased } = store([]);
    for (const confirm of [undefined, "ada", "bob@example.test"]) {
      await expect(deleteAccount({ ...me, confirm }, { store: s })).rejects.toMatchObject({ code: "bad_request", message: expect.stringContaining('"ada@example.test"') });
    }
    expect(erased).toEqual([]);
    expect(await deleteAccount({ ...me, confirm: "ADA@example.test" }, { store: s })).toEqual({ deleted: true });
    expect(erased).toEqual(["u-1"]);
  });
});
