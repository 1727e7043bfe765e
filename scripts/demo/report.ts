// Reads a demo conversation back from the server's own database and prints it.
import { asc, eq } from "drizzle-orm";
import type { Db } from "../../src/db/client.js";
import { conversations, customers, messages, workItems } from "../../src/db/schema/index.js";

export type StoredMessage = typeof messages.$inferSelect;

export interface Snapshot {
  conversation: typeof conversations.$inferSelect;
  customer: typeof customers.$inferSelect;
  /** In storage order, which is the thread's order (WhatsApp times are only to the second). */
  messages: StoredMessage[];
  workItems: (typeof workItems.$inferSelect)[];
}

/** The one conversation of a channel, with its messages and the portfolio's work items. */
export async function loadSnapshot(db: Db, portfolioId: string, channelId: string): Promise<Snapshot> {
  const convs = await db.select().from(conversations).where(eq(conversations.channelId, channelId));
  if (convs.length !== 1) throw new Error(`expected exactly one conversation on the demo channel, found ${convs.length}`);
  const conversation = convs[0]!;
  const [customer] = await db.select().from(customers).where(eq(customers.id, conversation.customerId));
  if (!customer) throw new Error("the conversation's customer is not stored");
  return {
    conversation,
    customer,
    messages: await db.select().from(messages).where(eq(messages.conversationId, conversation.id)).orderBy(asc(messages.id)),
    workItems: await db.select().from(workItems).where(eq(workItems.portfolioId, portfolioId)).orderBy(asc(workItems.id)),
  };
}

const pad2 = (n: number) => String(n).padStart(2, "0");
/** Local wall-clock time to the second, "-" when absent. */
export function clock(d: Date | null | undefined): string {
  return d ? `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}` : "-";
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split("\n")) {
    let line = "";
    for (const word of paragraph.split(/\s+/).filter(Boolean)) {
      if (line && line.length + 1 + word.length > width) {
        lines.push(line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    lines.push(line);
  }
  return lines;
}

function shorten(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/** What the phone shows under a business message. */
function ticks(m: StoredMessage): string {
  switch (m.status) {
    case "read":
      return `read ${clock(m.readAt)}`;
    case "delivered":
      return `delivered ${clock(m.deliveredAt)}`;
    case "sent":
      return `sent ${clock(m.sentAt)}`;
    case "failed":
      return `NOT DELIVERED: error ${m.errorCode ?? "?"}`;
    default:
      return m.status;
  }
}

const mediaLabel: Partial<Record<StoredMessage["kind"], string>> = {
  image: "[photo]",
  video: "[video]",
  audio: "[audio]",
  document: "[document]",
  sticker: "[sticker]",
};

export interface PhoneViewOptions {
  business: string;
  agent: string;
  /** "WhatsApp", "Messenger", "Instagram". */
  app: string;
  /** How the customer is known on the platform, e.g. "+15551234567" or "PSID 2470…". */
  customerRef: string;
  /** Extra remarks under a message, by platform message id. */
  notes?: Map<string, string>;
}

/** Who the customer sees as the writer of a business message: the agent, or a person of the team. */
const TEAM = "Team";

/** The thread as the customer's phone shows it: their messages, the business's replies, reactions. */
export function phoneView(s: Snapshot, o: PhoneViewOptions): string[] {
  const customerName = s.customer.profileName ?? o.customerRef;
  const nameWidth = Math.max(customerName.length, o.agent.length, TEAM.length);
  const indent = " ".repeat(8 + 2 + nameWidth + 2);
  const width = 64;
  const out = [`What ${customerName} (${o.customerRef}) saw in the ${o.app} chat with ${o.business}:`, ""];
  for (const m of s.messages) {
    if (m.kind === "reaction") continue; // shown on the message it reacts to
    const who = m.direction === "in" ? customerName : m.author === "ai" ? o.agent : TEAM;
    const label = mediaLabel[m.kind];
    const body = [label, m.text].filter(Boolean).join(" ");
    const [first = "", ...rest] = wrap(body, width);
    const when = m.direction === "in" ? m.occurredAt : (m.sentAt ?? m.occurredAt);
    out.push(`${clock(when)}  ${who.padEnd(nameWidth)}  ${first}`);
    for (const line of rest) out.push(`${indent}${line}`);
    const notes: string[] = [];
    if (m.direction === "out") notes.push(ticks(m));
    if (m.reaction) {
      const reaction = s.messages.find((r) => r.kind === "reaction" && r.replyToPlatformId === m.platformMessageId && r.text === m.reaction);
      notes.push(`${customerName} reacted ${m.reaction}${reaction ? ` at ${clock(reaction.occurredAt)}` : ""}`);
    }
    const note = m.platformMessageId ? o.notes?.get(m.platformMessageId) : undefined;
    if (note) notes.push(note);
    if (notes.length) out.push(`${indent}(${notes.join("; ")})`);
  }
  return out;
}

/** Fixed-width table; the last column is left unpadded. */
export function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => [...(r[i] ?? "")].length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join("  ").trimEnd());
}

export function statusTable(s: Snapshot): string[] {
  const outbound = s.messages.filter((m) => m.direction === "out");
  const rows = outbound.map((m, i) => [
    String(i + 1),
    shorten(m.text ?? "", 30),
    m.platformMessageId ?? "-",
    m.status,
    clock(m.sentAt),
    clock(m.deliveredAt),
    clock(m.readAt),
    clock(m.failedAt),
    m.errorCode ? [m.errorCode, m.errorTitle].filter(Boolean).join(" ") : "-",
  ]);
  return table([["#", "REPLY", "WAMID", "STATUS", "SENT", "DELIVERED", "READ", "FAILED", "ERROR"], ...rows]);
}
