import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { agents } from "../src/db/schema/index.js";
import { AGENT_INSTRUCTIONS, type Harness, startCosbot } from "./support/cosbot-under-test.js";
import { api, type ApiUser, memberOf, signedInUser } from "./support/api-client.js";
import { customerText } from "./support/payloads.js";

const OWN_KEY = "sk-portfolio-own-key-0123456789abcdefWXYZ";

let h: Harness;
let admin: ApiUser;
let agentRole: ApiUser;
let path: string;
beforeAll(async () => {
  h = await startCosbot();
  admin = await memberOf(h, h.portfolioId, "admin");
  agentRole = await memberOf(h, h.portfolioId, "agent");
  path = `/portfolios/${h.portfolioId}/agent`;
});
afterAll(async () => h?.close());
beforeEach(async () => {
  h.graph.reset();
  h.openai.reset();
  await h.testDb.database.db
    .update(agents)
    .set({ name: "Ava", instructions: AGENT_INSTRUCTIONS, model: "gpt-4o-mini", enabled: true, openaiApiKey: null, openaiApiKeyHint: null })
    .where(eq(agents.portfolioId, h.portfolioId));
});

const agentRow = async () => (await h.testDb.database.db.select().from(agents).where(eq(agents.portfolioId, h.portfolioId)))[0]!;
let n = 0;
const customerWrites = async (text: string) => {
  const id = `wamid.API_AGENT_${++n}`;
  await h.post(customerText(id, text, `1555444${String(n).padStart(4, "0")}`));
  await h.settle();
};

describe("GET /portfolios/:id/agent", () => {
  it("shows the agent and the supported models to any member, without a key", async () => {
    const res = await api(h, "GET", path, { as: agentRole });
    expect(res.status).toBe(200);
    expect(res.body.agent).toMatchObject({ name: "Ava", instructions: AGENT_INSTRUCTIONS, model: "gpt-4o-mini", enabled: true, hasOwnOpenAiKey: false, openAiKeyHint: null });
    expect(Date.parse(res.body.agent.updatedAt)).not.toBeNaN();
    expect(res.body.models).toContain("gpt-4o-mini");
    expect(res.body.models.length).toBeGreaterThan(1);
  });

  it("is 404 to a member of another portfolio and 401 to the anonymous", async () => {
    const outsider = await signedInUser(h);
    expect((await api(h, "GET", path, { as: outsider })).status).toBe(404);
    expect((await api(h, "GET", path)).status).toBe(401);
  });
});

describe("PATCH /portfolios/:id/agent", () => {
  it("changes each field, and the change reads back", async () => {
    const changes = [{ name: "Bella" }, { instructions: "You are Bella of Test Shop. Be brief." }, { model: "gpt-4.1-mini" }, { enabled: false }];
    for (const change of changes) {
      const res = await api(h, "PATCH", path, { as: admin, body: change });
      expect(res.status).toBe(200);
      expect(res.body.agent).toMatchObject(change);
    }
    const read = await api(h, "GET", path, { as: agentRole });
    expect(read.body.agent).toMatchObject({ name: "Bella", instructions: "You are Bella of Test Shop. Be brief.", model: "gpt-4.1-mini", enabled: false });
  });

  it.each([
    ["body.model", { model: "gpt-unknown", name: "Changed" }],
    ["body.name", { name: "   ", model: "gpt-4o" }],
    ["body.instructions", { instructions: "x".repeat(20_001), enabled: false }],
    ["body.enabled", { enabled: "no" }],
    ["body.openaiApiKey", { openaiApiKey: "short" }],
  ])("refuses a bad %s with 400 naming it, and changes nothing", async (field, body) => {
    const before = await agentRow();
    const res = await api(h, "PATCH", path, { as: admin, body });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("bad_request");
    expect(res.body.error.fields.map((f: { field: string }) => f.field)).toContain(field);
    expect(res.body.error.message).toContain(field);
    expect(await agentRow()).toEqual(before);
  });

  it("names the models it accepts when the model is not one of them", async () => {
    const res = await api(h, "PATCH", path, { as: admin, body: { model: "gpt-unknown" } });
    expect(res.body.error.message).toMatch(/body\.model: must be one of .*gpt-4o-mini/);
  });

  it("is 403 to the agent role and changes nothing", async () => {
    const before = await agentRow();
    const res = await api(h, "PATCH", path, { as: agentRole, body: { name: "Hacked", openaiApiKey: OWN_KEY } });
    expect(res.status).toBe(403);
    expect(await agentRow()).toEqual(before);
  });
});

describe("the portfolio's own OpenAI key", () => {
  it("is sealed at rest, never returned, and shown only by its last 4 characters", async () => {
    const set = await api(h, "PATCH", path, { as: admin, body: { openaiApiKey: OWN_KEY } });
    expect(set.status).toBe(200);
    expect(set.body.agent).toMatchObject({ hasOwnOpenAiKey: true, openAiKeyHint: "…WXYZ" });
    const read = await api(h, "GET", path, { as: agentRole });
    expect(read.body.agent).toMatchObject({ hasOwnOpenAiKey: true, openAiKeyHint: "…WXYZ" });
    for (const text of [set.text, read.text]) expect(text).not.toContain(OWN_KEY.slice(0, -4));
    const row = await agentRow();
    expect(JSON.stringify(row)).not.toContain(OWN_KEY.slice(0, -4));
    expect(h.cosbot.box.open(row.openaiApiKey!)).toBe(OWN_KEY);
  });

  it("is what the model call is made with instead of the server's key, until it is removed", async () => {
    await api(h, "PATCH", path, { as: admin, body: { openaiApiKey: OWN_KEY } });
    await customerWrites("Do you deliver?");
    expect(h.openai.calls.map((c) => c.headers.authorization)).toEqual([`Bearer ${OWN_KEY}`]);
    expect(h.graph.sends).toHaveLength(1);

    const removed = await api(h, "PATCH", path, { as: admin, body: { openaiApiKey: null } });
    expect(removed.body.agent).toMatchObject({ hasOwnOpenAiKey: false, openAiKeyHint: null });
    expect(await agentRow()).toMatchObject({ openaiApiKey: null, openaiApiKeyHint: null });
    await customerWrites("And on Sundays?");
    expect(h.openai.calls.map((c) => c.headers.authorization)).toEqual([`Bearer ${OWN_KEY}`, "Bearer sk-test"]);
  });

  it("stays out of the stored failure when the provider rejects it and echoes it back", async () => {
    h.openai.apiKey = "sk-test"; // the fake answers 401 "Incorrect API key provided: <key>"
    await api(h, "PATCH", path, { as: admin, body: { openaiApiKey: OWN_KEY } });
    await customerWrites("Hello?");
    expect(h.openai.calls[0]!.outcome).toBe("unauthorized");
    const failed = (await h.messages()).filter((m) => m.direction === "out").at(-1)!;
    expect(failed).toMatchObject({ status: "failed", errorCode: "model_error" });
    expect(failed.errorTitle).toContain("[redacted key]");
    expect(JSON.stringify(failed)).not.toContain(OWN_KEY);
    expect(JSON.stringify(await h.workItems())).not.toContain(OWN_KEY);
  });
});

describe("enabled: false", () => {
  it("keeps the agent silent: no model call and nothing sent, until it is switched back on", async () => {
    await api(h, "PATCH", path, { as: admin, body: { enabled: false } });
    const before = (await h.messages()).filter((m) => m.direction === "out").length;
    await customerWrites("Anyone there?");
    expect(h.openai.calls).toHaveLength(0);
    expect(h.graph.sends).toHaveLength(0);
    expect((await h.messages()).filter((m) => m.direction === "out")).toHaveLength(before);

    await api(h, "PATCH", path, { as: admin, body: { enabled: true } });
    await customerWrites("Hello again?");
    expect(h.openai.calls).toHaveLength(1);
    expect(h.graph.sends).toHaveLength(1);
  });
});

describe("on a server without OPENAI_API_KEY", () => {
  it("answers with the portfolio's own key, and fails for a missing key only when neither is set", async () => {
    const noKey = await startCosbot({ env: { OPENAI_API_KEY: undefined } });
    try {
      const owner = await memberOf(noKey, noKey.portfolioId, "owner");
      await noKey.post(customerText("wamid.NOKEY_API_1", "hello?", "15551239999"));
      await noKey.settle();
      expect(noKey.openai.calls).toHaveLength(0);
      expect((await noKey.messages()).find((m) => m.direction === "out")).toMatchObject({ status: "failed", errorCode: "model_key_missing" });

      await api(noKey, "PATCH", `/portfolios/${noKey.portfolioId}/agent`, { as: owner, body: { openaiApiKey: OWN_KEY } });
      await noKey.post(customerText("wamid.NOKEY_API_2", "hello again?", "15551239999"));
      await noKey.settle();
      expect(noKey.openai.calls.map((c) => c.headers.authorization)).toEqual([`Bearer ${OWN_KEY}`]);
      expect(noKey.graph.sends).toHaveLength(1);
    } finally {
      await noKey.close();
    }
  });
});
