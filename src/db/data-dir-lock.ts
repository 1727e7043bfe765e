import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join, resolve } from "node:path";

export class DataDirInUse extends Error {}

/**
 * PGlite is one process's database: a second process on the same folder would silently lose
 * writes. A lock file with the owner's pid keeps a second server (or the CLI) out; a lock left by
 * a process that died is taken over.
 */
export function lockDataDir(dataDir: string): () => void {
  const dir = resolve(dataDir);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "cosbot.lock");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = Number(readFileSync(file, "utf8").trim());
      if (owner && alive(owner)) {
        throw new DataDirInUse(
          `The data folder ${dir} is in use by process ${owner} (a running Cosbot server or CLI). ` +
            "Stop it first: the embedded database serves one process. To run several, set DATABASE_URL to a Postgres database.",
        );
      }
      rmSync(file, { force: true });
    }
  }
  throw new DataDirInUse(`Could not lock the data folder ${dir}`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
