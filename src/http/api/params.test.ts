import { describe, expect, it } from "vitest";
import { portfolioName } from "./params.js";

describe("portfolioName", () => {
  it("takes ordinary names in any script, trimmed", () => {
    for (const name of ["Corner Bakery", "  Café 24  ", "Пекарня", "مخبز", "🍞"]) expect(portfolioName.safeParse(name).success, name).toBe(true);
    expect(portfolioName.parse("  Café 24  ")).toBe("Café 24");
  });

  it("refuses a name nobody could see or type again, saying why", () => {
    const message = (name: string) => portfolioName.safeParse(name).error?.issues[0]?.message;
    expect(message("\u200b\u200b")).toBe("must contain a visible letter, digit or symbol");
    expect(message("\u202e")).toBe("must contain a visible letter, digit or symbol");
    expect(message("a\ud800b")).toBe("must be valid text (it holds a broken character)");
    expect(message("   ")).toBe("must not be empty");
    expect(message("x".repeat(101))).toBe("must be at most 100 characters");
  });
});
