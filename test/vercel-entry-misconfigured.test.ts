// The Vercel entry when a setting is missing: every request gets a plain 500 that says where to
// look, the function log names the setting, and a later request tries again (after a fix and redeploy
// that is a new instance anyway; within one instance a passing outage must not stick).
import { afterAll, beforeAll, expect, it, vi } from "vitest";

const savedEnv = { ...process.env };
let handler: { fetch(request: Request): Promise<Response> };

beforeAll(async () => {
  for (const name of ["DATABASE_URL", "REDIS_URL", "ENCRYPTION_KEY", "AUTH_SECRET", "PUBLIC_URL", "META_APP_SECRET"]) delete process.env[name];
  Object.assign(process.env, { VERCEL: "1", NODE_ENV: "production", LOG_LEVEL: "silent" });
  handler = (await import("../api/index.js")).default;
});

afterAll(() => {
  process.env = savedEnv;
});

it("answers 500 without the setting's name and logs which settings are missing, on every request", async () => {
  const logged = vi.spyOn(console, "error").mockImplementation(() => {});
  try {
    for (let i = 0; i < 2; i++) {
      const response = await handler.fetch(new Request("https://cosbot-test.vercel.app/healthz"));
      expect(response.status).toBe(500);
      const body = JSON.stringify(await response.json());
      expect(body).toContain("see its logs");
      expect(body).not.toContain("ENCRYPTION_KEY");
    }
    expect(logged).toHaveBeenCalledTimes(2);
    expect(String(logged.mock.calls[0]![0])).toMatch(/DATABASE_URL.*ENCRYPTION_KEY/);
  } finally {
    logged.mockRestore();
  }
});
