// `npm run dev`: the API server (tsx watch, restarts on change) and the Vite dev server (hot
// reload, proxying the server's paths) side by side. The browser talks to Vite only, so the
// server's PUBLIC_URL is Vite's address: sign-in callbacks and the CSRF origin check line up.
import { spawn } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const bin = (name) => join(root, "node_modules", ".bin", name);
const apiPort = process.env.API_PORT ?? "3000";
const webPort = process.env.VITE_PORT ?? "5173";
const publicUrl = process.env.PUBLIC_URL ?? `http://localhost:${webPort}`;

const children = [
  spawn(bin("tsx"), ["watch", "--clear-screen=false", "src/main.ts"], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, PORT: apiPort, PUBLIC_URL: publicUrl },
  }),
  spawn(bin("vite"), ["--config", "web/vite.config.ts"], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, VITE_PORT: webPort, COSBOT_API_URL: `http://localhost:${apiPort}` },
  }),
];

let stopping = false;
function stop(signal, code) {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill(signal);
  // The children get a moment to close their ports and databases.
  setTimeout(() => process.exit(code), 3000).unref();
}

for (const child of children) {
  child.on("exit", (code) => {
    stop("SIGTERM", code ?? 1);
    if (children.every((c) => c.exitCode !== null || c.signalCode !== null)) process.exit(code ?? 0);
  });
}
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => stop(signal, 0));
console.log(`Cosbot dev: open ${publicUrl} (API on http://localhost:${apiPort})`);
