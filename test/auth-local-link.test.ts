import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueLocalSignInLink, localOwnerEmail } from "../src/auth/create-auth.js";
import { api } from "./support/api-client.js";
import { startCosbot, type Harness } from "./support/cosbot-under-test.js";
import { CookieJar } from "./support/github-sign-in.js";

const sessionCookie = "better-auth.session_token";

/** Opens a printed link against the server under test (the link names PUBLIC_URL's host). */
async function openLink(h: { url: string }, link: string): Promise<{ res: Response; jar: CookieJar }> {
  const u = new URL(link);
  const res = await fetch(`${h.url}${u.pathname}${u.search}`, { redirect: "manual" });
  const jar = new CookieJar();
  jar.store(res);
  return { res, jar };
}

async function serverCapturingLinks(env: Record<string, string> = {}): Promise<{ h: Harness; links: string[] }> {
  const links: string[] = [];
  const h = await startCosbot({ seed: false, env, overrides: { onLocalSignInLink: (url) => links.push(url) } });
  return { h, links };
}

describe("the local sign-in link, GitHub not configured", () => {
  let h: Harness;
  let links: string[];
  beforeAll(async () => ({ h, links } = await serverCapturingLinks()));
  afterAll(() => h?.close());

  it("signs the local owner in once, and asks for a portfolio first", async () => {
    await issueLocalSignInLink(h.cosbot.auth);
    expect(links).toHaveLength(1);
    expect(links[0]).toMatch(/^http:\/\/localhost:3000\/api\/auth\/magic-link\/verify\?token=[^&]+/);

    const { res, jar } = await openLink(h, links[0]!);
    expect(res.status).toBe(302);
    expect(jar.line(sessionCookie)).toMatch(/; HttpOnly/i);
    expect(jar.line(sessionCookie)).toMatch(/; SameSite=Lax/i);
    const me = await api(h, "GET", "/me", { headers: { cookie: jar.header() } });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ user: { email: localOwnerEmail }, portfolios: [], next: "create_portfolio" });

    const again = await openLink(h, links[0]!);
    expect(again.jar.get(sessionCookie)).toBeUndefined();
    expect(again.res.headers.get("location")).toMatch(/error=/);

    // A new link (a restart prints one) signs in the same owner.
    await issueLocalSignInLink(h.cosbot.auth);
    const fresh = await openLink(h, links[1]!);
    const meAgain = await api(h, "GET", "/me", { headers: { cookie: fresh.jar.header() } });
    expect(meAgain.body.user.id).toBe(me.body.user.id);
  });

  it("refuses a made-up token, and nobody can ask for a link over HTTP", async () => {
    const forged = await openLink(h, "http://localhost:3000/api/auth/magic-link/verify?token=forged&callbackURL=/api/me");
    expect(forged.jar.get(sessionCookie)).toBeUndefined();
    const before = links.length;
    const ask = await fetch(`${h.url}/api/auth/sign-in/magic-link`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: localOwnerEmail }),
    });
    expect(ask.status).toBe(404);
    expect(links).toHaveLength(before);
  });
});

describe("the local sign-in link, GitHub configured", () => {
  const github = { GITHUB_CLIENT_ID: "Iv1.local-test", GITHUB_CLIENT_SECRET: "local-test-secret" };

  it("is off unless LOCAL_SIGN_IN=on", async () => {
    const { h, links } = await serverCapturingLinks(github);
    try {
      await expect(issueLocalSignInLink(h.cosbot.auth)).rejects.toThrow(/LOCAL_SIGN_IN/);
      expect(links).toHaveLength(0);
      const res = await fetch(`${h.url}/api/auth/magic-link/verify?token=anything&callbackURL=/api/me`, { redirect: "manual" });
      expect(res.status).toBe(404);
    } finally {
      await h.close();
    }
  });

  it("works beside GitHub with LOCAL_SIGN_IN=on", async () => {
    const { h, links } = await serverCapturingLinks({ ...github, LOCAL_SIGN_IN: "on" });
    try {
      await issueLocalSignInLink(h.cosbot.auth);
      const { jar } = await openLink(h, links[0]!);
      expect((await api(h, "GET", "/me", { headers: { cookie: jar.header() } })).body.user.email).toBe(localOwnerEmail);
    } finally {
      await h.close();
    }
  });
});

describe("npm start on the embedded defaults", () => {
  let child: ChildProcess | undefined;
  afterAll(async () => {
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child!.once("exit", resolve));
    // npm runs tsx runs node: stop the whole process group this test started.
    process.kill(-child.pid!, "SIGTERM");
    await exited;
  });

  it("prints a one-time sign-in link that signs the local owner in", async () => {
    const port = await freePort();
    const env: Record<string, string | undefined> = { ...process.env, DATA_DIR: mkdtempSync(join(tmpdir(), "cosbot-start-")), PORT: String(port), LOG_LEVEL: "info" };
    for (const name of ["DATABASE_URL", "REDIS_URL", "GITHUB_CLIENT_ID", "GITHUB_CLIENT_SECRET", "LOCAL_SIGN_IN", "PUBLIC_URL", "NODE_ENV"]) delete env[name];
    child = spawn("npm", ["start", "--silent"], { env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    const link = await new Promise<string>((resolve, reject) => {
      let out = "";
      const timer = setTimeout(() => reject(new Error(`no link printed within 45 s:\n${out}`)), 45_000);
      const read = (chunk: Buffer) => {
        out += chunk.toString();
        const found = /(http:\/\/localhost:\d+\/api\/auth\/magic-link\/verify\?token=[^\s"]+)/.exec(out);
        if (found) {
          clearTimeout(timer);
          resolve(found[1]!);
        }
      };
      child!.stdout!.on("data", read);
      child!.stderr!.on("data", read);
      child!.once("exit", (code) => reject(new Error(`npm start exited with ${code}:\n${out}`)));
    });
    expect(new URL(link).port).toBe(String(port));
    const server = { url: `http://127.0.0.1:${port}` };
    const { jar } = await openLink(server, link);
    const me = await fetch(`${server.url}/api/me`, { headers: { cookie: jar.header() } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ user: { email: localOwnerEmail }, next: "create_portfolio" });
  }, 60_000);
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
