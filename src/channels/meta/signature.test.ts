import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { verifyMetaSignature, verifyToken } from "./signature.js";

const SECRET = "app_secret_test";

// C21: the body byte for byte as Meta sends it, with \u00e9, \/ and a surrogate-pair emoji escaped.
const RAW = String.raw`{"object":"whatsapp_business_account","entry":[{"id":"WABA_TEST_1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550000000","phone_number_id":"PNID_TEST_1"},"contacts":[{"profile":{"name":"Test Customer A"},"wa_id":"15551230001"}],"messages":[{"from":"15551230001","id":"wamid.TEST_IN_0090","timestamp":"1767226000","type":"text","text":{"body":"Caf\u00e9 open 10\/12? \ud83d\ude00"}}]}}]}]}`;

const bytes = (s: string) => new Uint8Array(Buffer.from(s, "utf8"));
const sign = (body: Uint8Array | string, secret = SECRET) =>
  "sha256=" + createHmac("sha256", secret).update(body).digest("hex");

describe("verifyMetaSignature", () => {
  it("verifies the raw bytes of an escaped-unicode body (C21)", () => {
    const parsed = JSON.parse(RAW) as { entry: { changes: { value: { messages: { text: { body: string } }[] } }[] }[] };
    expect(parsed.entry[0]?.changes[0]?.value.messages[0]?.text.body).toBe("Café open 10/12? 😀");
    // Proves that re-serialising would have produced different bytes.
    expect(JSON.stringify(parsed)).not.toBe(RAW);

    const body = bytes(RAW);
    expect(verifyMetaSignature(body, sign(body), [SECRET])).toBe(SECRET);
  });

  it("rejects a signature computed over re-serialised JSON", () => {
    const reserialised = JSON.stringify(JSON.parse(RAW));
    expect(verifyMetaSignature(bytes(RAW), sign(reserialised), [SECRET])).toBeNull();
  });

  it("rejects a body with one changed byte", () => {
    const body = bytes(RAW);
    const header = sign(body);
    const tampered = new Uint8Array(body);
    tampered[tampered.length - 10] = (tampered[tampered.length - 10] ?? 0) ^ 0x01;
    expect(verifyMetaSignature(tampered, header, [SECRET])).toBeNull();
  });

  it("rejects missing and malformed headers", () => {
    const body = bytes(RAW);
    const good = sign(body);
    for (const header of [
      undefined,
      null,
      "",
      "sha256=",
      good.slice("sha256=".length), // no prefix
      "sha1=" + good.slice("sha256=".length),
      good.slice(0, -2), // too short
      good + "00", // too long
      good.slice(0, -1) + "z", // not hex
      "sha256=" + "0".repeat(64),
    ]) {
      expect(verifyMetaSignature(body, header, [SECRET])).toBeNull();
    }
  });

  it("accepts a match on any of several secrets and says which one", () => {
    const body = bytes(RAW);
    expect(verifyMetaSignature(body, sign(body, "ig_secret"), ["fb_secret", "ig_secret"])).toBe("ig_secret");
    expect(verifyMetaSignature(body, sign(body, "fb_secret"), ["fb_secret", "ig_secret"])).toBe("fb_secret");
    expect(verifyMetaSignature(body, sign(body, "other"), ["fb_secret", "ig_secret"])).toBeNull();
  });

  it("never matches with no secrets or an empty secret", () => {
    const body = bytes(RAW);
    expect(verifyMetaSignature(body, sign(body), [])).toBeNull();
    expect(verifyMetaSignature(body, sign(body, ""), [""])).toBeNull();
  });

  it("accepts an uppercase hex digest", () => {
    const body = bytes(RAW);
    const header = "sha256=" + sign(body).slice("sha256=".length).toUpperCase();
    expect(verifyMetaSignature(body, header, [SECRET])).toBe(SECRET);
  });
});

describe("verifyToken", () => {
  it("matches any candidate exactly", () => {
    expect(verifyToken("tok-1", ["tok-0", "tok-1"])).toBe(true);
    expect(verifyToken("tok-2", ["tok-0", "tok-1"])).toBe(false);
    expect(verifyToken("tok-1x", ["tok-1"])).toBe(false);
    expect(verifyToken("tok", ["tok-1"])).toBe(false);
  });

  it("rejects missing tokens and ignores empty candidates", () => {
    expect(verifyToken(undefined, ["a"])).toBe(false);
    expect(verifyToken(null, ["a"])).toBe(false);
    expect(verifyToken("", [""])).toBe(false);
    expect(verifyToken("a", [])).toBe(false);
  });
});
