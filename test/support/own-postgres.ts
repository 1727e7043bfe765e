// A PostgreSQL cluster of the test's own (initdb into a temp folder, a free port, trust auth), which
// the test may stop, restart or crash at will; the shared Postgres on 5432 is never touched.
import { execFile, execFileSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { applyMigrations, openDatabase } from "../../src/db/client.js";
import { freePort } from "./redis-server.js";
import { openTestDatabase, type TestDatabase } from "./test-database.js";

/** The newest installed server's bin folder (Debian: /usr/lib/postgresql/<major>/bin). */
function binDir(): string {
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, "bin", "initdb"))) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) throw new Error(`no ${root}/*/bin/initdb: install postgresql (CI does: apt-get install postgresql)`);
  return join(root, newest, "bin");
}

/** initdb refuses to run as root: then the cluster belongs to the `postgres` user. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
    return { uid, gid };
  } catch {
    throw new Error("running as root and there is no postgres user to own a test cluster (install postgresql)");
  }
}

const live = new Set<OwnPostgres>();
// A crashed test run must not leave clusters running: they are daemons, not children.
process.once("exit", () => live.forEach((pg) => pg.destroySync()));

export class OwnPostgres {
  private readonly bin = binDir();
  private readonly user = runAs();

  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  /** initdb and start; the `postgres` database is ready at `url`. */
  static async start(): Promise<OwnPostgres> {
    const dir = mkdtempSync(join(tmpdir(), "cosbot-own-pg-"));
    const pg = new OwnPostgres(dir, await freePort());
    live.add(pg);
    if (pg.user) {
      chownSync(dir, pg.user.uid, pg.user.gid);
      chmodSync(dir, 0o700);
    }
    try {
      await pg.run("initdb", ["-D", pg.data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"]);
      await pg.start();
    } catch (error) {
      pg.destroySync();
      throw error;
    }
    return pg;
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  private get data(): string {
    return join(this.dir, "data");
  }

  private command(tool: string, args: string[]): [string, string[]] {
    const command = join(this.bin, tool);
    return this.user ? ["runuser", ["-u", "postgres", "--", command, ...args]] : [command, args];
  }

  /** Async, so a test's own traffic keeps flowing while the cluster stops or starts. */
  private async run(tool: string, args: string[]): Promise<string> {
    const [file, argv] = this.command(tool, args);
    try {
      return (await promisify(execFile)(file, argv)).stdout;
    } catch (error) {
      throw failed(tool, args, error);
    }
  }

  private runSync(tool: string, args: string[]): string {
    const [file, argv] = this.command(tool, args);
    try {
      return execFileSync(file, argv, { stdio: ["ignore", "pipe", "pipe"] }).toString();
    } catch (error) {
      throw failed(tool, args, error);
    }
  }

  /**
   * Starts the server and waits until it accepts connections. fsync is off (the test survives a
   * process crash, not a power cut); synchronous_commit stays on, so a commit answered is kept.
   */
  async start(): Promise<void> {
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=100`;
    await this.run("pg_ctl", ["-D", this.data, "-l", join(this.dir, "server.log"), "-w", "-t", "30", "-o", options, "start"]);
  }

  /** fast: ends sessions and checkpoints; immediate: a crash, recovered from the WAL on the next start. */
  async stop(mode: "fast" | "immediate" = "fast"): Promise<void> {
    await this.run("pg_ctl", ["-D", this.data, "-w", "-t", "30", "-m", mode, "stop"]);
  }

  private runningSync(): boolean {
    try {
      this.runSync("pg_ctl", ["-D", this.data, "status"]);
      return true;
    } catch {
      return false;
    }
  }

  /** Stops the cluster (if it runs) and removes its folder. */
  destroySync(): void {
    live.delete(this);
    try {
      if (existsSync(join(this.data, "postmaster.pid")) && this.runningSync()) this.runSync("pg_ctl", ["-D", this.data, "-w", "-m", "immediate", "stop"]);
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }

  async destroy(): Promise<void> {
    this.destroySync();
  }
}

function failed(tool: string, args: string[], error: unknown): Error {
  const e = error as { stderr?: Buffer | string; stdout?: Buffer | string; message: string };
  return new Error(`${tool} ${args.join(" ")} failed: ${e.stderr?.toString() || e.stdout?.toString() || e.message}`);
}

/** A migrated database on a real Postgres, with the cluster behind it when the test started one. */
export interface RealDatabase extends TestDatabase {
  url: string;
  own?: OwnPostgres;
}

/**
 * A fresh, migrated database on real Postgres: a copy of the run's template when DATABASE_URL is
 * set, else on a cluster this test starts (the embedded defaults have no Postgres to share).
 */
export async function openRealDatabase(options: { own?: boolean } = {}): Promise<RealDatabase> {
  if (process.env.DATABASE_URL && !options.own) {
    const shared = await openTestDatabase();
    if (shared.url) return { ...shared, url: shared.url };
    await shared.drop();
  }
  const own = await OwnPostgres.start();
  try {
    const database = await openDatabase({ url: own.url, poolSize: 4 });
    await applyMigrations(database, own.url);
    return {
      database,
      url: own.url,
      own,
      async drop() {
        try {
          await database.close();
        } finally {
          await own.destroy();
        }
      },
    };
  } catch (error) {
    await own.destroy();
    throw error;
  }
}
