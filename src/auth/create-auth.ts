import { betterAuth, type BetterAuthPlugin } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { magicLink, organization } from "better-auth/plugins";
import type { Config } from "../config.js";
import type { Db } from "../db/client.js";
import { acceptInvitationsFor } from "../db/repositories/member-repository.js";
import { accounts, invitations, members, portfolios, sessions, users, verifications } from "../db/schema/index.js";
import type { Logger } from "../logger.js";

/** Who the one-time local sign-in link signs in: the owner of a server running on its defaults. */
export const localOwnerEmail = "owner@cosbot.localhost";

export interface AuthOptions {
  config: Pick<Config, "PUBLIC_URL" | "AUTH_SECRET" | "github" | "localSignIn">;
  db: Db;
  log: Logger;
  /** Where the local sign-in link goes once made (start-up prints it). */
  onLocalSignInLink?(url: string): void;
  /** Extra plugins; tests add better-auth's testUtils. */
  plugins?: BetterAuthPlugin[];
}

export type Auth = ReturnType<typeof createAuth>;

/**
 * better-auth: GitHub sign-in, sessions in httpOnly SameSite cookies (Secure over HTTPS), the
 * organization plugin's tables as portfolios and members. Only the paths in `authRoutes` are
 * reachable over HTTP; membership changes go through the API and its one tenant guard.
 */
export function createAuth(options: AuthOptions) {
  const { config, db, log } = options;
  return betterAuth({
    appName: "Cosbot",
    baseURL: config.PUBLIC_URL,
    basePath: "/api/auth",
    secret: config.AUTH_SECRET,
    trustedOrigins: [config.PUBLIC_URL],
    database: drizzleAdapter(db, {
      provider: "pg",
      schema: { user: users, session: sessions, account: accounts, verification: verifications, portfolio: portfolios, member: members, invitation: invitations },
    }),
    // `input: true` is what lets mapProfileToUser's githubLogin reach the row (better-auth drops
    // input:false fields from provider profiles too). No reachable route takes user input:
    // sign-up and update-user are not in `authPaths`.
    user: { additionalFields: { githubLogin: { type: "string", required: false, input: true } } },
    account: { encryptOAuthTokens: true },
    socialProviders: config.github
      ? {
          github: {
            clientId: config.github.clientId,
            clientSecret: config.github.clientSecret,
            mapProfileToUser: (profile) => ({ githubLogin: profile.login.toLowerCase() }),
          },
        }
      : {},
    plugins: [
      organization({ schema: { organization: { modelName: "portfolio" } } }),
      ...(config.localSignIn
        ? [
            magicLink({
              expiresIn: 3600,
              storeToken: "hashed",
              sendMagicLink: async ({ url }) => options.onLocalSignInLink?.(url),
            }),
          ]
        : []),
      ...(options.plugins ?? []),
    ],
    // Our own limiter (Redis-backed, shared by every process) guards the sign-in routes.
    rateLimit: { enabled: false },
    telemetry: { enabled: false },
    advanced: { useSecureCookies: config.PUBLIC_URL.startsWith("https://"), defaultCookieAttributes: { sameSite: "lax", httpOnly: true } },
    databaseHooks: {
      session: {
        create: {
          // Someone invited by e-mail or GitHub login joins on signing in.
          after: async (session) => {
            const joined = await acceptInvitationsFor(db, session.userId);
            if (joined.length) log.info({ userId: session.userId, portfolios: joined }, "invitations accepted");
          },
        },
      },
    },
    logger: {
      log: (level, message) => {
        const method = level === "error" ? "error" : level === "warn" ? "warn" : "debug";
        log[method]({ component: "auth" }, message);
      },
    },
  });
}

/** Sends a fresh one-time sign-in link for the local owner to `onLocalSignInLink`. */
export async function issueLocalSignInLink(auth: Auth): Promise<void> {
  const api = auth.api as unknown as {
    signInMagicLink?(input: { body: { email: string; name: string; callbackURL: string }; headers: Headers }): Promise<unknown>;
  };
  if (!api.signInMagicLink) throw new Error("the local sign-in link is off (LOCAL_SIGN_IN)");
  await api.signInMagicLink({ body: { email: localOwnerEmail, name: "Local owner", callbackURL: "/" }, headers: new Headers() });
}
