// `npm run demo` is what a newcomer runs first: it must keep working as the product changes. It runs
// the real server with loopback fakes of Meta and OpenAI and checks what it plays (84 checks).
import { execFile } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const tsx = join(root, "node_modules", ".bin", "tsx");

it("plays all three platforms and passes every one of its checks", { timeout: 120_000 }, async () => {
  // The demo runs on the embedded defaults, whatever the test run is pointed at.
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ["DATABASE_URL", "REDIS_URL", "ENCRYPTION_KEY", "OPENAI_API_KEY", "GRAPH_API_URL", "INSTAGRAM_GRAPH_API_URL"]) delete env[name];
  const run = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(tsx, ["scripts/demo.ts"], { cwd: root, env, timeout: 110_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr });
    });
  });
  expect(run.code, run.stdout.slice(-3000) + run.stderr.slice(-2000)).toBe(0);
  expect(run.stdout).toMatch(/All \d+ checks passed/);
  for (const platform of ["WhatsApp", "Messenger", "Instagram"]) expect(run.stdout).toContain(platform);
});
