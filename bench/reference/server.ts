// The two reference servers the real one is measured against, on node:http with nothing else:
//   ceiling: checks X-Hub-Signature-256 over the raw bytes and answers 200;
//   floor:   the same, and commits the raw payload with one INSERT into the same Postgres first.
// Usage: tsx bench/reference/server.ts floor|ceiling  (APP_SECRET, DATABASE_URL for floor, PORT).
// Prints "listening <url>" once ready.
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import postgres from "postgres";

const mode = process.argv[2];
if (mode !== "floor" && mode !== "ceiling") throw new Error("usage: server.ts floor|ceiling");
const secret = process.env.APP_SECRET ?? "";
// The same pool size as the real server's (postgres-options.ts).
const sql = mode === "floor" ? postgres(process.env.DATABASE_URL ?? "", { max: 10, onnotice: () => {} }) : undefined;

function signed(raw: Buffer, header: string | string[] | undefined): boolean {
  if (typeof header !== "string" || !header.startsWith("sha256=")) return false;
  const given = Buffer.from(header.slice(7), "hex");
  const expected = createHmac("sha256", secret).update(raw).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    const raw = Buffer.concat(chunks);
    if (!signed(raw, req.headers["x-hub-signature-256"])) {
      res.writeHead(401).end();
      return;
    }
    if (!sql) {
      res.writeHead(200, { "content-type": "text/plain" }).end("EVENT_RECEIVED");
      return;
    }
    sql`insert into bench_floor (payload) values (${raw.toString("utf8")}::jsonb)`.then(
      () => res.writeHead(200, { "content-type": "text/plain" }).end("EVENT_RECEIVED"),
      () => res.writeHead(500).end(),
    );
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  const { port } = server.address() as AddressInfo;
  console.log(`listening http://127.0.0.1:${port}`);
});
process.on("SIGTERM", () => {
  server.close();
  void (sql?.end({ timeout: 2 }) ?? Promise.resolve()).then(() => process.exit(0));
});
