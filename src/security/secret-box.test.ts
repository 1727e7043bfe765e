import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { SecretBox } from "./secret-box.js";

describe("SecretBox", () => {
  const box = new SecretBox(randomBytes(32));

  it("round-trips and never shows the plaintext", () => {
    const sealed = box.seal("EAAG-secret-token");
    expect(sealed).not.toContain("EAAG-secret-token");
    expect(sealed.startsWith(`v1.${box.keyId}.`)).toBe(true);
    expect(box.open(sealed)).toBe("EAAG-secret-token");
    expect(box.seal("same")).not.toBe(box.seal("same"));
  });

  it("refuses tampered data and a different key", () => {
    const sealed = box.seal("token");
    const parts = sealed.split(".");
    parts[4] = Buffer.from("tampered").toString("base64url");
    expect(() => box.open(parts.join("."))).toThrow();
    expect(() => new SecretBox(randomBytes(32)).open(sealed)).toThrow(/sealed with key/);
  });
});
