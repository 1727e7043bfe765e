import { describe, expect, it } from "vitest";
import { splitText, type TextLimit } from "./split-text.js";

const chars = (max: number): TextLimit => ({ max, unit: "chars" });
const bytes = (max: number): TextLimit => ({ max, unit: "bytes" });
const codePoints = (s: string) => [...s].length;
const utf8 = (s: string) => Buffer.byteLength(s, "utf8");
const hasLoneSurrogate = (s: string) => /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);

/** Invariants every split must keep. */
function expectValidParts(text: string, parts: string[], limit: TextLimit) {
  const measure = limit.unit === "bytes" ? utf8 : codePoints;
  for (const part of parts) {
    expect(part.trim()).not.toBe("");
    expect(part).toBe(part.trim());
    expect(measure(part)).toBeLessThanOrEqual(limit.max);
    expect(hasLoneSurrogate(part)).toBe(false);
  }
  // Nothing but whitespace at the cuts is lost.
  expect(parts.join("").replace(/\s+/g, "")).toBe(text.replace(/\s+/g, ""));
}

describe("splitText", () => {
  it("returns short text whole, trimmed", () => {
    expect(splitText("  Hello there  ", chars(4096))).toEqual(["Hello there"]);
  });

  it("returns nothing for empty or blank text", () => {
    expect(splitText("", chars(10))).toEqual([]);
    expect(splitText(" \n\t ", chars(10))).toEqual([]);
  });

  it("keeps text that is exactly at the limit in one part", () => {
    expect(splitText("a".repeat(10), chars(10))).toEqual(["a".repeat(10)]);
    expect(splitText("😀".repeat(10), chars(10))).toEqual(["😀".repeat(10)]);
  });

  it("prefers a paragraph break", () => {
    const text = "First paragraph. It has two sentences.\n\nSecond paragraph is here.";
    expect(splitText(text, chars(50))).toEqual(["First paragraph. It has two sentences.", "Second paragraph is here."]);
  });

  it("prefers a sentence end over plain whitespace", () => {
    const text = "One two three four. Five six seven eight nine ten";
    expect(splitText(text, chars(30))).toEqual(["One two three four.", "Five six seven eight nine ten"]);
  });

  it("keeps closing quotes with the sentence and handles ! and ?", () => {
    const parts = splitText('He said "stop it!" and left. Did he? Yes he did, really.', chars(24));
    expect(parts[0]).toBe('He said "stop it!"');
    expectValidParts('He said "stop it!" and left. Did he? Yes he did, really.', parts, chars(24));
  });

  it("falls back to whitespace, then to a hard cut", () => {
    expect(splitText("alpha beta gamma delta", chars(12))).toEqual(["alpha beta", "gamma delta"]);
    expect(splitText("abcdefghijklmnopqrstuvwxyz", chars(10))).toEqual(["abcdefghij", "klmnopqrst", "uvwxyz"]);
  });

  it("does not cut at a very early paragraph break when a later break exists", () => {
    const text = "Hi.\n\nThis is a long sentence that keeps on going and going without any stop at all";
    const parts = splitText(text, chars(40));
    expect(parts[0]?.length).toBeGreaterThan(20);
    expectValidParts(text, parts, chars(40));
  });

  it("uses a break that falls exactly on the limit", () => {
    expect(splitText("abcde fghij", chars(5))).toEqual(["abcde", "fghij"]);
    expect(splitText("Done. More", chars(5))).toEqual(["Done.", "More"]);
  });

  it("never splits an emoji at the boundary", () => {
    // 9 ASCII chars then an emoji: the emoji is the 10th code point but 11th-12th UTF-16 unit.
    const text = "abcdefghi😀jklmnopqrs😀tuv";
    const parts = splitText(text, chars(10));
    expect(parts).toEqual(["abcdefghi😀", "jklmnopqrs", "😀tuv"]);
    expectValidParts(text, parts, chars(10));
  });

  it("keeps a ZWJ family emoji and a flag whole when there is room", () => {
    const family = "👨‍👩‍👧"; // 5 code points
    const text = `abcd${family}efgh🇩🇪ij`;
    const parts = splitText(text, chars(7));
    expect(parts).toEqual(["abcd", `${family}ef`, "gh🇩🇪ij"]);
    expectValidParts(text, parts, chars(7));
  });

  it("splits a grapheme larger than the limit by code points", () => {
    const family = "👨‍👩‍👧‍👦"; // 7 code points
    const parts = splitText(family, chars(3));
    expect(parts.join("")).toBe(family);
    expectValidParts(family, parts, chars(3));
  });

  it("splits 4096-character WhatsApp text on sentence ends", () => {
    const sentence = "This is sentence number NN, with an emoji 😀 and some words. ";
    const text = Array.from({ length: 200 }, (_, i) => sentence.replace("NN", String(i))).join("");
    const parts = splitText(text, chars(4096));
    expect(parts.length).toBeGreaterThan(1);
    expectValidParts(text, parts, chars(4096));
    for (const part of parts.slice(0, -1)) expect(part.endsWith(".")).toBe(true);
    expect(codePoints(parts[0] ?? "")).toBeGreaterThan(4000);
  });

  it("measures Instagram's 1000-byte limit in UTF-8 bytes", () => {
    const text = "Привет! Это сообщение на русском языке с эмодзи 😀 и ещё немного текста. ".repeat(30);
    const parts = splitText(text, bytes(1000));
    expect(parts.length).toBeGreaterThan(1);
    expectValidParts(text, parts, bytes(1000));
    for (const part of parts.slice(0, -1)) expect(utf8(part)).toBeGreaterThan(900);
    for (const part of parts.slice(0, -1)) expect(part).toMatch(/[.!]$/);
  });

  it("cuts multibyte text without spaces at character boundaries by bytes", () => {
    const text = "日本語のテキスト".repeat(100) + "😀".repeat(100);
    const parts = splitText(text, bytes(1000));
    expectValidParts(text, parts, bytes(1000));
    expect(parts.join("")).toBe(text);
  });

  it("uses CJK full stops as sentence ends", () => {
    const text = "今日は晴れです。明日は雨です。";
    expect(splitText(text, chars(10))).toEqual(["今日は晴れです。", "明日は雨です。"]);
  });

  it("handles text with no spaces at all", () => {
    const text = "x".repeat(10_000);
    const parts = splitText(text, chars(4096));
    expect(parts.map((p) => p.length)).toEqual([4096, 4096, 1808]);
  });

  it("sends a 4-byte character alone when the byte limit is smaller than it", () => {
    expect(splitText("😀😀", bytes(3))).toEqual(["😀", "😀"]);
  });

  it("rejects a nonsensical limit", () => {
    expect(() => splitText("x", chars(0))).toThrow(RangeError);
    expect(() => splitText("x", chars(1.5))).toThrow(RangeError);
  });
});
