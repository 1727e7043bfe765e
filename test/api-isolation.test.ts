// The isolation matrix (issue 4): every /api route in the route table the server mounts, called by
// each kind of caller. Routes added later join the matrix by themselves; a path parameter the
// fixtures below cannot fill fails the test, so no route escapes it.
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { can, roles, type Role } from "../src/core/tenancy/policy.js";
import { addChannel } from "../src/db/repositories/channel-repository.js";
import { conversations, invitations, notes, portfolios } from "../src/db/schema/index.js";
import type { ApiRoute } from "../src/http/api/route.js";
import { waText } from "./fakes/index.js";
import { api, type ApiResponse, type ApiUser, memberOf, signedInUser } from "./support/api-client.js";
import { PNID, startCosbot, type Harness } from "./support/cosbot-under-test.js";
import { openSse } from "./support/sse-client.js";

/** What portfolio A holds that no outsider may ever read. */
const secretsOfA = {
  portfolioName: "Isolation Bakery Alpha",
  customerName: "Priya Quillfeather",
  phone: "15557770001",
  messageText: "my order number is ZX-4417",
  note: "prefers pickup at nine, gate code 5512",
};

let h: Harness;
let outsider: ApiUser;
let portfolioA: string;
let conversationA: string;
let customerA: string;

beforeAll(async () => {
  h = await startCosbot();
  portfolioA = h.portfolioId;
  const db = h.testDb.database.db;
  await db.update(portfolios).set({ name: secretsOfA.portfolioName }).where(eq(portfolios.id, portfolioA));
  await h.post(waText({ pnid: PNID, from: secretsOfA.phone, id: "wamid.ISOLATION_1", body: secretsOfA.messageText, name: secretsOfA.customerName }));
  await h.settle();
  const [conversation] = await db.select().from(conversations).where(eq(conversations.portfolioId, portfolioA));
  conversationA = conversation!.id;
  customerA = conversation!.customerId;

  outsider = await signedInUser(h, { name: "Outsider" });
  const created = await api(h, "POST", "/portfolios", { as: outsider, body: { name: "Other Company" } });
  expect(created.status).toBe(201);
});

afterAll(async () => {
  await h?.close();
});

/**
 * Path parameters, made afresh for each call where a route may consume them (a removed member,
 * a disconnected channel), so that the order of the calls does not matter.
 */
const fixtures: Record<string, () => Promise<string>> = {
  portfolioId: async () => portfolioA,
  conversationId: async () => conversationA,
  customerId: async () => customerA,
  memberId: async () => (await memberOf(h, portfolioA, "agent", { name: "Victim" })).memberId,
  noteId: async () => {
    const [note] = await h.testDb.database.db
      .insert(notes)
      .values({ portfolioId: portfolioA, customerId: customerA, authorName: "Owner", body: secretsOfA.note })
      .returning();
    return String(note!.id);
  },
  channelId: async () => {
    const externalId = String(Math.floor(Math.random() * 1e15));
    const channel = await addChannel(h.testDb.database.db, h.cosbot.box, portfolioA, {
      platform: "messenger",
      externalId,
      credentials: { accessToken: `EAAB${randomUUID()}` },
    });
    return channel.id;
  },
  invitationId: async () => {
    const [invitation] = await h.testDb.database.db
      .insert(invitations)
      .values({ organizationId: portfolioA, email: `${randomUUID().slice(0, 8)}@example.test`, role: "agent", expiresAt: new Date(Date.now() + 86_400_000) })
      .returning();
    return invitation!.id;
  },
};

async function pathOf(route: ApiRoute): Promise<string> {
  let path = route.path;
  for (const [, name] of route.path.matchAll(/:(\w+)/g)) {
    const make = fixtures[name!];
    if (!make) throw new Error(`no fixture for :${name} in ${route.method} ${route.path}: add one to the isolation matrix`);
    path = path.replace(`:${name}`, encodeURIComponent(await make()));
  }
  return path;
}

/** An empty JSON object where the route takes a body: the guard decides before validation, and nothing valid gets written. */
async function call(route: ApiRoute, as?: ApiUser): Promise<ApiResponse> {
  if (route.stream) return callStream(await pathOf(route), as);
  return api(h, route.method, await pathOf(route), { as, body: route.body ? {} : undefined });
}

/** A streaming route never ends: an opened stream counts once its first event arrived, then it is closed. */
async function callStream(path: string, as?: ApiUser): Promise<ApiResponse> {
  const stream = await openSse(`${h.url}/api${path}`, { cookie: as?.cookie });
  if (stream.status === 200) {
    const first = await stream.waitFor(() => true);
    stream.close();
    return { status: 200, body: first.json, text: first.data, headers: stream.headers };
  }
  let body: any;
  try {
    body = JSON.parse(stream.text);
  } catch {
    body = stream.text;
  }
  return { status: stream.status, body, text: stream.text, headers: stream.headers };
}

const isPortfolioRoute = (r: ApiRoute) => r.path.includes(":portfolioId");
const label = (r: ApiRoute) => `${r.method} ${r.path}`;
/** The guard's own refusal of a portfolio the caller is not in: it must look like a missing one. */
const isGuardNotFound = (res: ApiResponse) => res.status === 404 && /^no portfolio /.test(res.body?.error?.message ?? "");
/** The guard's refusal by role; a handler may still refuse on finer rules (only a note's author edits it). */
const isGuardForbidden = (res: ApiResponse) => res.status === 403 && /^a member with role /.test(res.body?.error?.message ?? "");

describe("the isolation matrix over every /api route", () => {
  const routes = () => h.cosbot.apiRoutes;

  it("covers the route table, portfolio routes included", () => {
    expect(routes().filter(isPortfolioRoute).length).toBeGreaterThanOrEqual(2);
  });

  it("refuses an anonymous caller everywhere but public routes, with 401", async () => {
    const wrong: string[] = [];
    for (const r of routes()) {
      if (r.access === "public") continue;
      const res = await call(r);
      if (res.status !== 401 || res.body?.error?.code !== "unauthorized") wrong.push(`${label(r)} -> ${res.status}`);
    }
    expect(wrong).toEqual([]);
  });

  it("answers a member of another portfolio 404 on every portfolio route and shows none of its data", async () => {
    const wrong: string[] = [];
    for (const r of routes().filter(isPortfolioRoute)) {
      const res = await call(r, outsider);
      if (!isGuardNotFound(res)) wrong.push(`${label(r)} -> ${res.status} ${res.text.slice(0, 120)}`);
      for (const secret of Object.values(secretsOfA)) if (res.text.includes(secret)) wrong.push(`${label(r)} leaks "${secret}"`);
    }
    expect(wrong).toEqual([]);
  });

  it.each(roles)("lets a member with role %s do exactly what the policy allows", async (role: Role) => {
    const wrong: string[] = [];
    for (const r of routes().filter(isPortfolioRoute)) {
      // A fresh member per call: a route that removes its caller (leave) cannot spoil the next.
      const member = await memberOf(h, portfolioA, role);
      const res = await call(r, member);
      const allowed = can(role, r.access as Parameters<typeof can>[1]);
      if (allowed && (res.status === 401 || isGuardForbidden(res) || isGuardNotFound(res))) wrong.push(`${label(r)} refused (${res.status}) but ${role} may`);
      if (!allowed && !isGuardForbidden(res)) wrong.push(`${label(r)} -> ${res.status} but ${role} may not`);
    }
    expect(wrong).toEqual([]);
  });

  it("left portfolio A's data as it was after the outsider's calls", async () => {
    const [conversation] = await h.testDb.database.db.select().from(conversations).where(eq(conversations.id, conversationA));
    expect(conversation?.portfolioId).toBe(portfolioA);
    const [portfolio] = await h.testDb.database.db.select().from(portfolios).where(eq(portfolios.id, portfolioA));
    expect(portfolio?.name).toBe(secretsOfA.portfolioName);
  });
});
