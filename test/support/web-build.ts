// The built single-page app for browser tests: `vite build` of web/ into a cache folder named by a
// hash of web/'s sources, so that a run builds once and later runs with unchanged sources reuse it.
// It never writes web/dist (a developer's or another run's build may be there, half done).
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const repo = fileURLToPath(new URL("../..", import.meta.url));
const webDir = join(repo, "web");
const skipped = new Set(["dist", "node_modules"]);

function sources(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => !skipped.has(name) && !name.startsWith("."))
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? sources(path) : [path];
    });
}

/** Hash of everything the build reads that can change: web/'s files and the lock file. */
function sourceHash(): string {
  const hash = createHash("sha256");
  for (const file of [...sources(webDir), join(repo, "package-lock.json")]) {
    hash.update(relative(repo, file)).update("\0").update(readFileSync(file)).update("\0");
  }
  return hash.digest("hex").slice(0, 16);
}

/** The folder holding web/ built as it is now (built on first use); pass it as webDistDir. */
export async function builtWebApp(): Promise<string> {
  const cache = join(repo, "node_modules", ".cache", "cosbot-web-e2e");
  const out = join(cache, sourceHash());
  if (existsSync(join(out, "index.html"))) return out;
  const tmp = `${out}.tmp-${process.pid}`;
  const vite = join(repo, "node_modules", "vite", "bin", "vite.js");
  try {
    await promisify(execFile)(process.execPath, [vite, "build", "--config", join(webDir, "vite.config.ts"), "--outDir", tmp, "--emptyOutDir", "--logLevel", "warn"], {
      cwd: repo,
      timeout: 120_000,
    });
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    const e = error as { stderr?: string; stdout?: string; message: string };
    throw new Error(`vite build of web/ failed: ${e.stderr || e.stdout || e.message}`);
  }
  // Another run may have finished the same build meanwhile: either copy will do.
  if (existsSync(join(out, "index.html"))) rmSync(tmp, { recursive: true, force: true });
  else {
    rmSync(out, { recursive: true, force: true });
    renameSync(tmp, out);
  }
  // Builds of older sources are of no more use (other runs' unfinished .tmp folders are left alone).
  for (const name of readdirSync(cache)) {
    if (!name.includes(".tmp-") && join(cache, name) !== out) rmSync(join(cache, name), { recursive: true, force: true });
  }
  return out;
}
