// A fresh database per run: dropped, created, migrated, and seeded with one business whose
// WhatsApp number is connected and whose agent is on (as a business goes live in production).
import postgres from "postgres";
import { applyMigrations, openDatabase } from "../src/db/client.js";
import { addChannel } from "../src/db/repositories/channel-repository.js";
import { createPortfolio } from "../src/db/repositories/portfolio-repository.js";
import { SecretBox } from "../src/security/secret-box.js";

export interface Seeded {
  portfolioId: string;
  channelId: string;
}

export interface Business {
  phoneNumberId: string;
  wabaId: string;
  appSecret: string;
  accessToken: string;
  encryptionKey: string;
}

/** Drops and creates the database named in `url`, through the server's `postgres` database. */
export async function recreateDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ""));
  if (!/^[a-z_][a-z0-9_]*$/i.test(name)) throw new Error(`bench database name must be a plain identifier, got "${name}"`);
  const admin = new URL(url);
  admin.pathname = "/postgres";
  const sql = postgres(admin.toString(), { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(`drop database if exists "${name}" with (force)`);
    await sql.unsafe(`create database "${name}"`);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

export async function prepareDatabase(url: string, business: Business): Promise<Seeded> {
  await recreateDatabase(url);
  const database = await openDatabase({ url });
  try {
    await applyMigrations(database, url);
    const { db } = database;
    // The floor reference server's one table: the raw payload, nothing else.
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    await sql`create table bench_floor (id bigserial primary key, payload jsonb not null, received_at timestamptz not null default now())`;
    await sql.end({ timeout: 5 });
    const { portfolio } = await createPortfolio(db, { name: "Bench Bakery", model: "gpt-4o-mini" });
    const box = new SecretBox(Buffer.from(business.encryptionKey, "hex"));
    const channel = await addChannel(db, box, portfolio.id, {
      platform: "whatsapp",
      externalId: business.phoneNumberId,
      accountId: business.wabaId,
      displayName: "Bench Bakery (+15550100200)",
      credentials: { accessToken: business.accessToken, appSecret: business.appSecret, verifyToken: "bench-verify" },
    });
    return { portfolioId: portfolio.id, channelId: channel.id };
  } finally {
    await database.close();
  }
}

/** Rows the run left, to check that every acknowledged message was stored. */
export async function countRows(url: string): Promise<{ inbound: number; outbound: number; floor: number; pendingReplies: number }> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [m] = await sql<{ inbound: string; outbound: string }[]>`
      select count(*) filter (where direction = 'in') as inbound, count(*) filter (where direction = 'out') as outbound from message`;
    const [f] = await sql<{ n: string }[]>`select count(*) as n from bench_floor`;
    const [w] = await sql<{ n: string }[]>`select count(*) as n from work_item where kind = 'reply' and state in ('pending', 'running')`;
    return { inbound: Number(m!.inbound), outbound: Number(m!.outbound), floor: Number(f!.n), pendingReplies: Number(w!.n) };
  } finally {
    await sql.end({ timeout: 5 });
  }
}
