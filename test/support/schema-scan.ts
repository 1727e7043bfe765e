import { getTableName, is, sql } from "drizzle-orm";
import { PgTable } from "drizzle-orm/pg-core";
import { type Db, rowsOf } from "../../src/db/client.js";
import * as schema from "../../src/db/schema/index.js";

/** The pgTable objects of the schema module: the list of tables is never written by hand. */
export const schemaTables: PgTable[] = (Object.values(schema) as unknown[]).filter((value): value is PgTable => is(value, PgTable));

export const schemaTableNames = (): string[] => schemaTables.map((t) => getTableName(t));

/** Every row of every schema table as JSON text, per table name, sorted. */
export async function dumpTables(db: Db): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const name of schemaTableNames()) {
    const rows = rowsOf<{ row: string }>(await db.execute(sql.raw(`select row_to_json(t)::text as row from "${name}" t`)));
    out.set(name, rows.map((r) => r.row).sort());
  }
  return out;
}

/** The rows of `dump` whose text holds one of `needles`, as "table: row". */
export function rowsNaming(dump: Map<string, string[]>, needles: string[]): string[] {
  const hits = (row: string) => needles.some((n) => row.includes(n));
  return [...dump].flatMap(([table, rows]) => rows.filter(hits).map((row) => `${table}: ${row.slice(0, 300)}`));
}
