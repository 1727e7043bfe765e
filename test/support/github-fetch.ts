import type { FakeGitHub } from "../fakes/github.js";

const githubHosts = new Set(["github.com", "api.github.com"]);

/**
 * better-auth's GitHub provider has github.com URLs built in and reads globalThis.fetch on each
 * call, so tests send those hosts to the fake on loopback. Every other URL goes through untouched.
 * Returns the function that puts the real fetch back.
 */
export function routeGithubFetch(fake: FakeGitHub): () => void {
  const realFetch = globalThis.fetch;
  globalThis.fetch = (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : input.toString());
    if (url.protocol !== "https:" || !githubHosts.has(url.hostname)) return realFetch(input, init);
    const local = githubUrl(fake, url);
    return realFetch(input instanceof Request ? new Request(local, input) : local, init);
  };
  return () => {
    globalThis.fetch = realFetch;
  };
}

/** Where a github.com or api.github.com URL lands on the fake. */
export function githubUrl(fake: FakeGitHub, url: string | URL): string {
  const u = new URL(url);
  return `${fake.url}${u.pathname}${u.search}`;
}
