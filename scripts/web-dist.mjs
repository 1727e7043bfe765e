// Builds the web app into web/dist when it is missing or older than its sources, so that
// `npm start` on a fresh clone serves the inbox without a separate build step.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";

const newestSource = (dir) =>
  readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.name !== "dist" && !entry.name.startsWith("."))
    .reduce((newest, entry) => {
      const path = join(dir, entry.name);
      return Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
    }, 0);

export function ensureWebDist(root) {
  const web = join(root, "web");
  const dist = join(web, "dist");
  const index = join(dist, "index.html");
  if (existsSync(index) && statSync(index).mtimeMs >= newestSource(web)) return;
  console.error("Building the web app into web/dist (once; `npm run dev` rebuilds as you edit) ...");
  // Built beside and renamed into place, so a server started meanwhile never sees half a build.
  const tmp = `${dist}.tmp-${process.pid}`;
  const vite = join(root, "node_modules", "vite", "bin", "vite.js");
  try {
    execFileSync(process.execPath, [vite, "build", "--config", join(web, "vite.config.ts"), "--outDir", tmp, "--emptyOutDir", "--logLevel", "warn"], {
      cwd: root,
      stdio: ["ignore", "ignore", "inherit"],
    });
    rmSync(dist, { recursive: true, force: true });
    renameSync(tmp, dist);
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    // Another start finished the same build first: its copy will do.
    if (!existsSync(index)) throw error;
  }
}
