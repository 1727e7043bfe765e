// Bad input on every write route of the route table (issue 4): a 400 that names the field, and no
// row written anywhere. The bodies are made from each route's own schema, so new routes join in.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { conversations } from "../src/db/schema/index.js";
import type { ApiRoute } from "../src/http/api/route.js";
import { waText } from "./fakes/index.js";
import { api, type ApiUser, memberOf } from "./support/api-client.js";
import { PNID, startCosbot, type Harness } from "./support/cosbot-under-test.js";

let h: Harness;
let owner: ApiUser & { memberId: string };
const ids: Record<string, string> = {};

beforeAll(async () => {
  h = await startCosbot();
  await h.post(waText({ pnid: PNID, from: "15557770002", id: "wamid.BAD_INPUT_1", body: "hello" }));
  await h.settle();
  const [conversation] = await h.testDb.database.db.select().from(conversations);
  owner = await memberOf(h, h.portfolioId, "owner");
  Object.assign(ids, {
    portfolioId: h.portfolioId,
    conversationId: conversation!.id,
    customerId: conversation!.customerId,
    memberId: owner.memberId,
    channelId: h.channelId,
    noteId: "1",
    invitationId: "00000000-0000-0000-0000-000000000000",
  });
});

afterAll(async () => {
  await h?.close();
});

const pathOf = (r: ApiRoute) => r.path.replace(/:(\w+)/g, (_, name: string) => ids[name] ?? name);
const label = (r: ApiRoute) => `${r.method} ${r.path}`;

/** Rows in every table of ours: what a refused request must leave as it was. */
async function rowCounts(): Promise<Record<string, number>> {
  const db = h.testDb.database.db;
  const tables = await db.execute(
    sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`,
  );
  const counts: Record<string, number> = {};
  for (const { table_name } of rowsOf<{ table_name: string }>(tables)) {
    const [row] = rowsOf<{ n: number }>(await db.execute(sql.raw(`select count(*)::int as n from "${table_name}"`)));
    counts[table_name] = row!.n;
  }
  return counts;
}

/** postgres.js returns the rows, PGlite an object holding them. */
function rowsOf<T>(result: unknown): T[] {
  return Array.isArray(result) ? (result as T[]) : (result as { rows: T[] }).rows;
}

/** A value of the wrong JSON type for a property of the given JSON schema. */
function wrongValueFor(property: { type?: string | string[] }): unknown {
  const types = ([] as string[]).concat(property.type ?? []);
  if (types.includes("string")) return 12345;
  if (types.includes("object") || types.includes("array")) return "not-an-object";
  return { unexpected: true };
}

describe("bad input on every write route", () => {
  const writeRoutes = () => h.cosbot.apiRoutes.filter((r) => r.body);

  it("has write routes to check", () => {
    expect(writeRoutes().length).toBeGreaterThanOrEqual(2);
  });

  it("answers a body that is not JSON with 400 and writes nothing", async () => {
    const before = await rowCounts();
    const wrong: string[] = [];
    for (const r of writeRoutes()) {
      const res = await api(h, r.method, pathOf(r), { as: owner, body: "{not json", headers: { "content-type": "application/json" } });
      if (res.status !== 400 || res.body?.error?.code !== "bad_request") wrong.push(`${label(r)} -> ${res.status}`);
    }
    expect(wrong).toEqual([]);
    expect(await rowCounts()).toEqual(before);
  });

  it("answers a NUL character in any string field with 400 naming that field, and writes nothing", async () => {
    const before = await rowCounts();
    const wrong: string[] = [];
    for (const r of writeRoutes()) {
      const schema = z.toJSONSchema(r.body as z.ZodType, { io: "input", unrepresentable: "any" }) as {
        properties?: Record<string, { type?: string | string[] }>;
      };
      for (const [field, property] of Object.entries(schema.properties ?? {})) {
        if (!([] as string[]).concat(property.type ?? []).includes("string")) continue;
        const res = await api(h, r.method, pathOf(r), { as: owner, body: { [field]: "a\u0000b" } });
        if (res.status !== 400 || !res.body.error.message.includes(`body.${field}`)) wrong.push(`${label(r)} body.${field} -> ${res.status} ${res.text.slice(0, 100)}`);
      }
    }
    const search = await api(h, "GET", `/portfolios/${ids.portfolioId}/conversations?q=a%00b`, { as: owner });
    if (search.status !== 400) wrong.push(`GET conversations?q=NUL -> ${search.status}`);
    expect(wrong).toEqual([]);
    expect(await rowCounts()).toEqual(before);
  });

  it("answers a body larger than 1 MiB with 413 before reading it", async () => {
    const res = await api(h, "PATCH", `/portfolios/${ids.portfolioId}/agent`, { as: owner, body: JSON.stringify({ instructions: "x".repeat(2 * 1024 * 1024) }) });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe("payload_too_large");
  });

  it("answers each field of the wrong type with 400 naming that field, and writes nothing", async () => {
    const before = await rowCounts();
    const wrong: string[] = [];
    let checked = 0;
    for (const r of writeRoutes()) {
      const schema = z.toJSONSchema(r.body as z.ZodType, { io: "input", unrepresentable: "any" }) as {
        properties?: Record<string, { type?: string | string[] }>;
      };
      for (const [field, property] of Object.entries(schema.properties ?? {})) {
        const res = await api(h, r.method, pathOf(r), { as: owner, body: { [field]: wrongValueFor(property) } });
        const named = (res.body?.error?.fields ?? []).map((f: { field: string }) => f.field);
        checked++;
        if (res.status !== 400) wrong.push(`${label(r)} body.${field} -> ${res.status}`);
        else if (!named.includes(`body.${field}`)) wrong.push(`${label(r)} body.${field}: named ${JSON.stringify(named)}`);
        else if (!res.body.error.message.includes(`body.${field}`)) wrong.push(`${label(r)} body.${field}: message "${res.body.error.message}"`);
      }
    }
    expect(checked).toBeGreaterThan(0);
    expect(wrong).toEqual([]);
    expect(await rowCounts()).toEqual(before);
  });
});
