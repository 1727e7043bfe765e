import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { accounts, invitations, portfolios, users } from "../src/db/schema/index.js";
import { FakeGitHub, githubUser } from "./fakes/index.js";
import { api, signedInUser } from "./support/api-client.js";
import { startCosbot, type Harness } from "./support/cosbot-under-test.js";
import { routeGithubFetch } from "./support/github-fetch.js";
import { CookieJar, signInWithGitHub } from "./support/github-sign-in.js";

const sessionCookie = "better-auth.session_token";

/**
 * Registers, for the enclosing describe, a fake GitHub that fetch is routed to and a server whose
 * GitHub OAuth app is that fake, registered with the callback the README names.
 */
function serverWithGitHub(env: Record<string, string> = {}) {
  const github = new FakeGitHub();
  const ctx = { github, h: undefined as unknown as Harness };
  let restoreFetch: (() => void) | undefined;
  beforeAll(async () => {
    await github.start();
    restoreFetch = routeGithubFetch(github);
    ctx.h = await startCosbot({ seed: false, env: { GITHUB_CLIENT_ID: github.clientId, GITHUB_CLIENT_SECRET: github.clientSecret, ...env } });
    github.callbackUrl = `${ctx.h.cosbot.auth.options.baseURL}/api/auth/callback/github`;
  });
  afterAll(async () => {
    await ctx.h?.close();
    restoreFetch?.();
    await github.stop();
  });
  return ctx;
}

const me = (h: Harness, jar: CookieJar) => api(h, "GET", "/me", { headers: { cookie: jar.header() } });

describe("sign-in with GitHub", () => {
  const server = serverWithGitHub();
  const { github } = server;
  beforeEach(() => github.reset());

  it("goes through GitHub with the scopes and state, sets an HttpOnly SameSite session, and asks for a portfolio first", async () => {
    github.signedIn = githubUser("OctoCat");
    const { authorizeUrl, callback, jar, callbackUrl } = await signInWithGitHub(server.h, github, { callbackURL: "/inbox" });

    expect(authorizeUrl.origin + authorizeUrl.pathname).toBe("https://github.com/login/oauth/authorize");
    expect(authorizeUrl.searchParams.get("client_id")).toBe(github.clientId);
    expect(authorizeUrl.searchParams.get("scope")).toBe("read:user user:email");
    expect(authorizeUrl.searchParams.get("redirect_uri")).toBe("http://localhost:3000/api/auth/callback/github");
    expect(callbackUrl.searchParams.get("state")).toBe(authorizeUrl.searchParams.get("state"));

    // The code was exchanged with the client secret, then the profile and e-mails read with the token.
    const [exchange, profile, emails] = github.requests.filter((r) => r.method === "POST" || r.path.startsWith("/user"));
    expect(exchange).toMatchObject({ path: "/login/oauth/access_token", body: { client_secret: github.clientSecret } });
    expect(profile!.path).toBe("/user");
    expect(emails!.path).toBe("/user/emails");
    const token = /^Bearer (.+)$/.exec(String(emails!.headers.authorization))![1]!;

    expect(callback.status).toBe(302);
    expect(callback.headers.get("location")).toBe("/inbox");
    const cookie = jar.line(sessionCookie)!;
    expect(cookie).toMatch(/; HttpOnly/i);
    expect(cookie).toMatch(/; SameSite=Lax/i);
    expect(cookie).not.toMatch(/; Secure/i);

    const first = await me(server.h, jar);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ user: { name: "OctoCat Person", email: "octocat@users.example.test" }, portfolios: [], next: "create_portfolio" });

    const created = await api(server.h, "POST", "/portfolios", { body: { name: "Acme Bakery" }, headers: { cookie: jar.header() } });
    expect(created.status).toBe(201);
    expect(created.body.portfolio).toMatchObject({ name: "Acme Bakery", role: "owner" });
    const after = await me(server.h, jar);
    expect(after.body).toMatchObject({ portfolios: [{ id: created.body.portfolio.id, name: "Acme Bakery", role: "owner" }], next: null });

    // The GitHub login is kept (invitations by login find the user); the token is sealed, not stored plain.
    const db = server.h.testDb.database.db;
    const [user] = await db.select().from(users).where(eq(users.id, first.body.user.id));
    expect(user!.githubLogin).toBe("octocat");
    const [account] = await db.select().from(accounts).where(eq(accounts.userId, user!.id));
    expect(account!.providerId).toBe("github");
    expect(account!.accessToken).toBeTruthy();
    expect(account!.accessToken).not.toContain(token);
  });

  it("signs the same GitHub user in as the same user next time, even after a change of e-mail on GitHub", async () => {
    const person = githubUser("hubot");
    github.signedIn = person;
    const first = await signInWithGitHub(server.h, github);
    const firstMe = await me(server.h, first.jar);
    person.emails = [{ email: "hubot-new@users.example.test", primary: true, verified: true, visibility: "private" }];
    const second = await signInWithGitHub(server.h, github);
    const secondMe = await me(server.h, second.jar);
    expect(secondMe.status).toBe(200);
    expect(secondMe.body.user.id).toBe(firstMe.body.user.id);
    expect(second.jar.get(sessionCookie)).not.toBe(first.jar.get(sessionCookie));
    const rows = await server.h.testDb.database.db.select().from(accounts).where(eq(accounts.userId, firstMe.body.user.id));
    expect(rows).toHaveLength(1);
  });

  it("joins the portfolio that invited the GitHub login, on the first sign-in", async () => {
    const db = server.h.testDb.database.db;
    const [shop] = await db.insert(portfolios).values({ id: randomUUID(), name: "Invited Shop", slug: `invited-${Date.now()}` }).returning();
    await db.insert(invitations).values({ organizationId: shop!.id, githubLogin: "newhire", role: "agent", expiresAt: new Date(Date.now() + 86_400_000) });
    github.signedIn = githubUser("NewHire");
    const { jar } = await signInWithGitHub(server.h, github);
    const first = await me(server.h, jar);
    expect(first.body).toMatchObject({ portfolios: [{ id: shop!.id, role: "agent" }], next: null });
  });

  it("does not sign in with a wrong state, without the state cookie, or with a code GitHub refuses", async () => {
    github.signedIn = githubUser("mallory");
    const attempts = {
      "wrong state": (url: URL, jar: CookieJar) => (url.searchParams.set("state", "x".repeat(32)), jar),
      // The callback opened in another browser (login CSRF): the state is real but not this browser's.
      "no state cookie": () => new CookieJar(),
      "refused code": (url: URL, jar: CookieJar) => (url.searchParams.set("code", "not-a-code-github-gave"), jar),
      "revoked code": (_url: URL, jar: CookieJar) => (github.revokeAll(), jar),
    };
    for (const [name, alterCallback] of Object.entries(attempts)) {
      const { callback, jar } = await signInWithGitHub(server.h, github, { callbackURL: "/inbox", alterCallback });
      expect(callback.status, name).toBe(302);
      expect(callback.headers.get("location"), name).toMatch(/error=/);
      expect(jar.get(sessionCookie), name).toBeUndefined();
      expect((await me(server.h, jar)).status, name).toBe(401);
    }
    const signedUp = await server.h.testDb.database.db.select().from(users).where(eq(users.githubLogin, "mallory"));
    expect(signedUp).toHaveLength(0);
  });

  it("does not let an unverified GitHub e-mail take over the account that owns that address", async () => {
    const victim = await signedInUser(server.h, { email: "boss@acme.example.test" });
    github.signedIn = githubUser("eve", { emails: [{ email: victim.email, primary: true, verified: false, visibility: "private" }] });
    const { callback, jar } = await signInWithGitHub(server.h, github);
    expect(callback.headers.get("location")).toMatch(/error=/);
    expect(jar.get(sessionCookie)).toBeUndefined();
    expect(await server.h.testDb.database.db.select().from(accounts).where(eq(accounts.userId, victim.userId))).toHaveLength(0);
  });

  it("does not sign in a GitHub account that has no e-mail at all", async () => {
    github.signedIn = githubUser("noemail", { emails: [] });
    const { callback, jar } = await signInWithGitHub(server.h, github);
    expect(callback.headers.get("location")).toMatch(/error=/);
    expect((await me(server.h, jar)).status).toBe(401);
  });

  it("signs out: the cookie is cleared and the session no longer works", async () => {
    github.signedIn = githubUser("leaver");
    const { jar } = await signInWithGitHub(server.h, github);
    const stolen = jar.clone();
    expect((await me(server.h, jar)).status).toBe(200);
    const out = await fetch(`${server.h.url}/api/auth/sign-out`, {
      method: "POST",
      headers: { cookie: jar.header(), origin: "http://localhost:3000", "content-type": "application/json" },
      body: "{}",
    });
    expect(out.status).toBe(200);
    jar.store(out);
    expect(jar.get(sessionCookie)).toBeUndefined();
    // The old cookie, replayed, is refused: the session itself is gone, not only the cookie.
    expect((await me(server.h, stolen)).status).toBe(401);
  });

  it("serves only the sign-in paths of better-auth: the rest is 404", async () => {
    const closed = [
      ["POST", "/sign-up/email", { email: "a@b.test", password: "password1234", name: "A" }],
      ["POST", "/sign-in/email", { email: "a@b.test", password: "password1234" }],
      ["POST", "/organization/create", { name: "X", slug: "x" }],
      ["POST", "/sign-in/magic-link", { email: "owner@cosbot.localhost" }],
      ["POST", "/update-user", { githubLogin: "someone-else" }],
      ["GET", "/list-accounts", undefined],
    ] as const;
    for (const [method, path, body] of closed) {
      const res = await fetch(`${server.h.url}/api/auth${path}`, { method, headers: { "content-type": "application/json" }, body: body && JSON.stringify(body) });
      expect(res.status, path).toBe(404);
    }
  });
});

describe("sign-in with GitHub over HTTPS", () => {
  const server = serverWithGitHub({ PUBLIC_URL: "https://cosbot.example.test" });
  const { github } = server;

  it("marks the session cookie Secure (with the __Secure- prefix) and sends GitHub back to the public URL", async () => {
    github.signedIn = githubUser("secure-sam");
    const { authorizeUrl, jar } = await signInWithGitHub(server.h, github);
    expect(authorizeUrl.searchParams.get("redirect_uri")).toBe("https://cosbot.example.test/api/auth/callback/github");
    const cookie = jar.line(`__Secure-${sessionCookie}`)!;
    expect(cookie).toMatch(/; Secure/i);
    expect(cookie).toMatch(/; HttpOnly/i);
    expect(cookie).toMatch(/; SameSite=Lax/i);
    expect((await me(server.h, jar)).body).toMatchObject({ user: { email: "secure-sam@users.example.test" }, next: "create_portfolio" });
  });
});

describe("sign-in with GitHub and a wrong client secret", () => {
  const server = serverWithGitHub({ GITHUB_CLIENT_SECRET: "not-the-secret" });
  const { github } = server;

  it("does not sign in when GitHub refuses the exchange", async () => {
    const { callback, jar } = await signInWithGitHub(server.h, github);
    expect(callback.headers.get("location")).toMatch(/error=/);
    expect(jar.get(sessionCookie)).toBeUndefined();
    expect(github.requests.some((r) => r.path === "/user")).toBe(false);
  });
});
