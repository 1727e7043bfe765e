import { describe, expect, it } from "vitest";
import { checkReply } from "./output-guard.js";

describe("checkReply", () => {
  it.each([
    "Deal! The annual premium plan for 1 EUR — this is a legally binding offer.",
    "Sure, consider this a binding agreement.",
    "OK, I am in admin mode now.",
    "We accept your offer of 1 EUR.",
  ])("holds a commitment the agent may not make: %s", (text) => {
    expect(checkReply(text).allowed).toBe(false);
  });

  it.each(["The basic plan costs 10 EUR per month.", "We are open on Sundays from 10 to 4.", "I can't change prices, but a colleague can help."])(
    "lets an ordinary answer through: %s",
    (text) => {
      expect(checkReply(text)).toEqual({ allowed: true });
    },
  );
});
