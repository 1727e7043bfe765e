// `npm start` and `npm run db:migrate`: the compiled code in production, the TypeScript sources
// through tsx otherwise, so a fresh clone starts without a build.
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { ensureWebDist } from "./web-dist.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const entry = process.argv[2] ?? "main";
if (process.env.NODE_ENV === "production") {
  const compiled = join(root, "dist", `${entry}.js`);
  if (!existsSync(compiled)) {
    console.error(`NODE_ENV=production runs the compiled code, and ${compiled} does not exist: run npm run build first.`);
    process.exit(1);
  }
  await import(pathToFileURL(compiled).href);
} else {
  if (entry === "main") ensureWebDist(root);
  const { register } = await import("tsx/esm/api");
  register();
  await import(pathToFileURL(join(root, "src", `${entry}.ts`)).href);
}
