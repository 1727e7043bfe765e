import { afterAll, beforeAll, beforeEach } from "vitest";
import { api, type ApiUser, memberOf, signedInUser } from "./api-client.js";
import { type ChannelHarness, startChannelsCosbot } from "./channels.js";
import type { HarnessOptions } from "./cosbot-under-test.js";

/** What a channels test file works with: the server, an admin of its portfolio, and a stranger's portfolio. */
export interface ChannelsServer {
  h: ChannelHarness;
  admin: ApiUser & { memberId: string };
  /** Signed in, owner of `outsiderPortfolioId`, not a member of `h.portfolioId`. */
  outsider: ApiUser;
  outsiderPortfolioId: string;
}

/**
 * Registers one file's lifecycle: the server starts before all tests, every test begins with the
 * work settled and the fakes reset, and the server closes after all. Read the fields in a test or
 * a later hook, not at import time.
 */
export function channelsServer(options: HarnessOptions & { outsiderName?: string } = {}): ChannelsServer {
  const server = {} as ChannelsServer;
  beforeAll(async () => {
    server.h = await startChannelsCosbot(options);
    server.admin = await memberOf(server.h, server.h.portfolioId, "admin", { name: "Adam Admin" });
    server.outsider = await signedInUser(server.h, { name: options.outsiderName ?? "Olga Outsider" });
    const created = await api(server.h, "POST", "/portfolios", { as: server.outsider, body: { name: "Other Shop" } });
    if (created.status !== 201) throw new Error(`could not create the outsider's portfolio: ${created.status} ${created.text}`);
    server.outsiderPortfolioId = created.body.portfolio.id;
  }, 60_000);
  beforeEach(async () => {
    await server.h.settle();
    server.h.resetFakes();
  });
  afterAll(async () => {
    await server.h?.settle();
    await server.h?.close();
  });
  return server;
}
