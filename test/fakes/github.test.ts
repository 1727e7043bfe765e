// Proves FakeGitHub refuses what GitHub refuses: wrong secret, reused code, PKCE mismatch, bad token.
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeGitHub, githubUser } from "./github.js";

const fake = new FakeGitHub();
beforeAll(() => fake.start());
afterAll(() => fake.stop());

const redirectUri = "http://localhost:3000/api/auth/callback/github";
const verifier = "v".repeat(50);

async function authorize(extra: Record<string, string> = {}): Promise<string> {
  const q = new URLSearchParams({ client_id: fake.clientId, redirect_uri: redirectUri, state: "s1", scope: "read:user user:email", ...extra });
  const res = await fetch(`${fake.url}/login/oauth/authorize?${q}`, { redirect: "manual" });
  expect(res.status).toBe(302);
  const back = new URL(res.headers.get("location")!);
  expect(back.searchParams.get("state")).toBe("s1");
  return back.searchParams.get("code")!;
}

async function exchange(fields: Record<string, string>): Promise<Record<string, string>> {
  const res = await fetch(`${fake.url}/login/oauth/access_token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
    body: new URLSearchParams({ client_id: fake.clientId, client_secret: fake.clientSecret, redirect_uri: redirectUri, ...fields }),
  });
  return (await res.json()) as Record<string, string>;
}

describe("FakeGitHub", () => {
  it("trades a code once for a token that reads the profile and e-mails", async () => {
    fake.signedIn = githubUser("Alice");
    const code = await authorize();
    const { access_token: token, scope } = await exchange({ code });
    expect(scope).toBe("read:user,user:email");
    expect((await exchange({ code })).error).toBe("bad_verification_code");
    const user = await (await fetch(`${fake.url}/user`, { headers: { authorization: `Bearer ${token}` } })).json();
    expect(user).toMatchObject({ login: "Alice", email: null });
    const emails = await (await fetch(`${fake.url}/user/emails`, { headers: { authorization: `Bearer ${token}` } })).json();
    expect(emails).toEqual([{ email: "alice@users.example.test", primary: true, verified: true, visibility: "private" }]);
    expect((await fetch(`${fake.url}/user`, { headers: { authorization: "Bearer nope" } })).status).toBe(401);
  });

  it("refuses a wrong client secret, a PKCE verifier that does not match, and an unregistered callback", async () => {
    expect((await exchange({ code: await authorize(), client_secret: "wrong" })).error).toBe("incorrect_client_credentials");
    const challenge = createHash("sha256").update(verifier).digest("base64url");
    const code = await authorize({ code_challenge: challenge, code_challenge_method: "S256" });
    expect((await exchange({ code, code_verifier: "x".repeat(50) })).error).toBe("bad_verification_code");
    const pkce = await authorize({ code_challenge: challenge, code_challenge_method: "S256" });
    expect((await exchange({ code: pkce, code_verifier: verifier })).access_token).toMatch(/^gho_/);
    fake.callbackUrl = "https://cosbot.example.test/api/auth/callback/github";
    const res = await fetch(`${fake.url}/login/oauth/authorize?client_id=${fake.clientId}&redirect_uri=${encodeURIComponent(redirectUri)}`, { redirect: "manual" });
    expect(res.status).toBe(400);
    fake.callbackUrl = undefined;
  });
});
