// The compiled client finds its SQL migrations beside itself (dist/db/migrations), as in src.
import { cpSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const outDir = resolve(root, process.argv[2] ?? "dist");
const target = join(outDir, "db", "migrations");
rmSync(target, { recursive: true, force: true });
cpSync(join(root, "src", "db", "migrations"), target, { recursive: true });
