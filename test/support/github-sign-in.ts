import type { FakeGitHub } from "../fakes/github.js";
import type { Harness } from "./cosbot-under-test.js";
import { githubUrl } from "./github-fetch.js";

/** The cookies a browser would keep for the server, from each response's Set-Cookie. */
export class CookieJar {
  private readonly cookies = new Map<string, string>();
  /** Every Set-Cookie line seen, for checking attributes. */
  readonly lines: string[] = [];

  store(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      this.lines.push(line);
      const [pair = ""] = line.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === "" || /;\s*max-age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  get(name: string): string | undefined {
    return this.cookies.get(name);
  }

  /** The Set-Cookie line that last set `name`. */
  line(name: string): string | undefined {
    return this.lines.filter((l) => l.startsWith(`${name}=`)).at(-1);
  }

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  clone(): CookieJar {
    const copy = new CookieJar();
    for (const [k, v] of this.cookies) copy.cookies.set(k, v);
    return copy;
  }
}

export interface GitHubSignIn {
  jar: CookieJar;
  /** github.com/login/oauth/authorize?... as better-auth built it. */
  authorizeUrl: URL;
  /** Our callback URL with code and state, as the fake sent the browser back. */
  callbackUrl: URL;
  /** The callback's answer (a redirect to callbackURL, or to the error page). */
  callback: Response;
}

/** A browser's trip: start sign-in, approve on (fake) GitHub, come back to the callback. */
export async function signInWithGitHub(
  h: Harness,
  github: FakeGitHub,
  options: { callbackURL?: string; jar?: CookieJar; alterCallback?(url: URL, jar: CookieJar): CookieJar } = {},
): Promise<GitHubSignIn> {
  const jar = options.jar ?? new CookieJar();
  const start = await fetch(`${h.url}/api/auth/sign-in/social`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie: jar.header() },
    body: JSON.stringify({ provider: "github", callbackURL: options.callbackURL ?? "/" }),
  });
  if (start.status !== 200) throw new Error(`sign-in/social answered ${start.status}: ${await start.text()}`);
  jar.store(start);
  const authorizeUrl = new URL(((await start.json()) as { url: string }).url);
  const approved = await fetch(githubUrl(github, authorizeUrl), { redirect: "manual" });
  if (approved.status !== 302) throw new Error(`fake authorize answered ${approved.status}: ${await approved.text()}`);
  const back = new URL(approved.headers.get("location")!);
  const callbackUrl = new URL(`${h.url}${back.pathname}${back.search}`);
  const sent = options.alterCallback ? options.alterCallback(callbackUrl, jar) : jar;
  const callback = await fetch(callbackUrl, { headers: { cookie: sent.header() }, redirect: "manual" });
  jar.store(callback);
  return { jar, authorizeUrl, callbackUrl, callback };
}
