// Fake GitHub OAuth app and REST API: /login/oauth/authorize (redirects back with code and
// state, as if the user had approved), POST /login/oauth/access_token, GET /user and
// /user/emails. One server plays both github.com and api.github.com (their paths do not clash).
import { createHash, randomBytes } from "node:crypto";
import type { ServerResponse } from "node:http";
import { HttpFake, sendJson, tokenOf, type RecordedRequest } from "./http-fake.js";

export interface FakeGithubUser {
  id: number;
  login: string;
  name: string | null;
  /** The public e-mail on the profile; null makes the client read /user/emails. */
  email: string | null;
  emails: { email: string; primary: boolean; verified: boolean; visibility: "public" | "private" | null }[];
}

interface Grant {
  user: FakeGithubUser;
  clientId: string;
  redirectUri: string;
  scope: string;
  /** PKCE (S256): the exchange must bring the verifier of this challenge. */
  codeChallenge?: string;
}

let nextId = 1000;

/** A GitHub user with a private primary e-mail, as most accounts are. */
export function githubUser(login: string, fields: Partial<FakeGithubUser> = {}): FakeGithubUser {
  const email = `${login.toLowerCase()}@users.example.test`;
  return { id: nextId++, login, name: `${login} Person`, email: null, emails: [{ email, primary: true, verified: true, visibility: "private" }], ...fields };
}

export class FakeGitHub extends HttpFake {
  readonly clientId = `Iv1.fake${randomBytes(4).toString("hex")}`;
  readonly clientSecret = randomBytes(20).toString("hex");
  /** The OAuth app's registered callback URL; unset accepts any redirect_uri. */
  callbackUrl: string | undefined;
  /** Who approves the next authorize request (as if signed in to github.com in the browser). */
  signedIn: FakeGithubUser = githubUser("octocat");
  /** Codes handed out and not yet exchanged. */
  private readonly codes = new Map<string, Grant>();
  private readonly tokens = new Map<string, FakeGithubUser>();

  protected async handle(req: RecordedRequest, res: ServerResponse): Promise<void> {
    if (req.method === "GET" && req.path === "/login/oauth/authorize") return this.authorize(req, res);
    if (req.method === "POST" && req.path === "/login/oauth/access_token") return this.exchange(req, res);
    if (req.method === "GET" && (req.path === "/user" || req.path === "/user/emails")) {
      const user = this.tokens.get(tokenOf(req) ?? "");
      if (!user) return sendJson(res, 401, { message: "Bad credentials", documentation_url: "https://docs.github.com/rest" });
      if (req.path === "/user/emails") return sendJson(res, 200, user.emails);
      const { emails: _emails, ...profile } = user;
      return sendJson(res, 200, { ...profile, node_id: `U_${user.id}`, avatar_url: `https://avatars.example.test/u/${user.id}`, type: "User" });
    }
    sendJson(res, 404, { message: "Not Found" });
  }

  /** The user approves at once: back to redirect_uri with a fresh code and the state untouched. */
  private authorize(req: RecordedRequest, res: ServerResponse): void {
    const { client_id: clientId, redirect_uri: redirectUri, state, scope = "", code_challenge: codeChallenge } = req.query;
    if (clientId !== this.clientId || !redirectUri) return sendJson(res, 404, { message: "Not Found" });
    if (this.callbackUrl && redirectUri !== this.callbackUrl) {
      return sendJson(res, 400, { error: "redirect_uri_mismatch", error_description: "The redirect_uri is not associated with this application." });
    }
    const code = randomBytes(10).toString("hex");
    this.codes.set(code, { user: this.signedIn, clientId, redirectUri, scope, codeChallenge });
    const back = new URL(redirectUri);
    back.searchParams.set("code", code);
    if (state !== undefined) back.searchParams.set("state", state);
    res.writeHead(302, { location: back.toString() }).end();
  }

  /** GitHub answers 200 with an `error` field when the code or the client is wrong. */
  private exchange(req: RecordedRequest, res: ServerResponse): void {
    const body = (req.body ?? {}) as Record<string, string>;
    const [basicId, basicSecret] = basicCredentials(req.headers.authorization);
    const clientId = body.client_id ?? basicId;
    const clientSecret = body.client_secret ?? basicSecret;
    if (clientId !== this.clientId || clientSecret !== this.clientSecret) {
      return sendJson(res, 200, { error: "incorrect_client_credentials", error_description: "The client_id and/or client_secret passed are incorrect." });
    }
    const grant = this.codes.get(body.code ?? "");
    if (!grant || grant.clientId !== clientId || (body.redirect_uri && body.redirect_uri !== grant.redirectUri) || !pkceMatches(grant, body.code_verifier)) {
      return sendJson(res, 200, { error: "bad_verification_code", error_description: "The code passed is incorrect or expired." });
    }
    this.codes.delete(body.code!);
    const token = `gho_${randomBytes(18).toString("hex")}`;
    this.tokens.set(token, grant.user);
    sendJson(res, 200, { access_token: token, token_type: "bearer", scope: grant.scope.split(/[ ,]+/).filter(Boolean).join(",") });
  }

  /** Forgets every code and token, as if GitHub had revoked them. */
  revokeAll(): void {
    this.codes.clear();
    this.tokens.clear();
  }
}

function pkceMatches(grant: Grant, verifier: string | undefined): boolean {
  if (!grant.codeChallenge) return true;
  return verifier !== undefined && createHash("sha256").update(verifier).digest("base64url") === grant.codeChallenge;
}

function basicCredentials(header: string | string[] | undefined): [string?, string?] {
  const match = typeof header === "string" ? /^Basic\s+(.+)$/i.exec(header.trim()) : null;
  if (!match?.[1]) return [];
  const [id, secret] = Buffer.from(match[1], "base64").toString("utf8").split(":");
  return [decodeURIComponent(id ?? ""), decodeURIComponent(secret ?? "")];
}
