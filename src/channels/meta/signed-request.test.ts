import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signRequest, verifySignedRequest } from "./signed-request.js";

const SECRET = "app_secret_unit";
const payload = { algorithm: "HMAC-SHA256", expires: 1291840400, issued_at: 1291836800, user_id: "218471" };

describe("verifySignedRequest", () => {
  it("accepts Meta's format: base64url signature of the encoded payload, unpadded", () => {
    const signed = signRequest(payload, SECRET);
    expect(signed).not.toMatch(/[+/=]/);
    expect(verifySignedRequest(signed, SECRET)).toEqual({ ok: true, request: { userId: "218471", issuedAt: 1291836800, expires: 1291840400 } });
  });

  it("matches an HMAC computed independently over the encoded payload string", () => {
    const encoded = Buffer.from(JSON.stringify({ algorithm: "HMAC-SHA256", user_id: "42" })).toString("base64url");
    const sig = createHmac("sha256", SECRET).update(encoded).digest().toString("base64url");
    expect(verifySignedRequest(`${sig}.${encoded}`, SECRET)).toMatchObject({ ok: true, request: { userId: "42" } });
    // Splits on the first dot only: a dot inside the payload part breaks its base64url.
    expect(verifySignedRequest(`${sig}.${encoded}.x`, SECRET)).toMatchObject({ ok: false, problem: "malformed" });
  });

  it("accepts a numeric user_id as its decimal string", () => {
    expect(verifySignedRequest(signRequest({ algorithm: "HMAC-SHA256", user_id: 218471 }, SECRET), SECRET)).toMatchObject({ ok: true, request: { userId: "218471" } });
  });

  it("refuses another secret, a tampered payload and a truncated signature as bad_signature", () => {
    const signed = signRequest(payload, SECRET);
    expect(verifySignedRequest(signed, "other_secret")).toMatchObject({ ok: false, problem: "bad_signature" });
    const [sig] = signed.split(".");
    const forged = Buffer.from(JSON.stringify({ ...payload, user_id: "999" })).toString("base64url");
    expect(verifySignedRequest(`${sig}.${forged}`, SECRET)).toMatchObject({ ok: false, problem: "bad_signature" });
    expect(verifySignedRequest(`${sig!.slice(0, 20)}.${signed.split(".")[1]}`, SECRET)).toMatchObject({ ok: false, problem: "bad_signature" });
    expect(verifySignedRequest(signed, undefined)).toMatchObject({ ok: false, problem: "unconfigured", message: expect.stringContaining("META_APP_SECRET") });
  });

  it.each([
    ["empty", ""],
    ["no dot", "abcdef"],
    ["bad base64 signature", "ab$cd.eyJhIjoxfQ"],
    ["bad base64 payload", "abcd.ey J"],
    ["empty payload part", "abcd."],
  ])("refuses %s as malformed", (_, value) => {
    expect(verifySignedRequest(value, SECRET)).toMatchObject({ ok: false, problem: "malformed" });
  });

  it.each([
    ["not JSON", "not json {"],
    ["a JSON array", "[1,2]"],
    ["another algorithm", JSON.stringify({ ...payload, algorithm: "HMAC-SHA1" })],
    ["no algorithm", JSON.stringify({ user_id: "1" })],
    ["no user_id", JSON.stringify({ algorithm: "HMAC-SHA256" })],
    ["a user_id that is an object", JSON.stringify({ algorithm: "HMAC-SHA256", user_id: { id: 1 } })],
  ])("refuses a correctly signed payload that is %s as malformed", (_, body) => {
    const result = verifySignedRequest(signRequest(body, SECRET), SECRET);
    expect(result).toMatchObject({ ok: false, problem: "malformed" });
  });

  it("reads no payload whose signature is wrong", () => {
    expect(verifySignedRequest(signRequest("not json", "other"), SECRET)).toMatchObject({ ok: false, problem: "bad_signature" });
  });
});
