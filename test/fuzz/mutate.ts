// Mutations of real-format webhook payloads, as fast-check arbitraries. A mutation is plain data
// (what to do, where, with which small parameters), so a failing case prints short and shrinks;
// huge strings and deep nesting are built from a size when applied, never stored in the case.
import fc from "fast-check";

/** Emitted verbatim into the JSON text: numbers JSON.stringify cannot make, deep nesting. */
export class RawJson {
  constructor(readonly text: string) {}
}

/** An object written with the same key more than once (JSON.parse keeps the last). */
export class DuplicateKeys {
  constructor(readonly entries: Array<[string, unknown]>) {}
}

/** Odd text: NUL, lone surrogates, bidi controls, ZWJ sequences, characters that look like overlong UTF-8. */
export const ODD_PIECES = [
  "\u0000", "\ud800", "\udfff", "\ud83d", "\ude00x", "\u200f", "\u202e", "\u2066", "\u200d", "\u200b",
  "👨‍👩‍👧‍👦", "🏳️‍🌈", "🇫🇷", "👍🏽", "\ufeff", "\uffff", "\ufffe", "e\u0301\u0301\u0301", "\u2028\u2029", "\u0085",
  "\u00c0\u00af", "\u00e0\u0080\u00af", "𝕏", "\u001b[31m", "\r\n\t", "\\u0000", "' OR 1=1 --", "<script>x</script>", "%00", "ﷺ",
];

const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n));
/** Any UTF-16 code units, lone surrogates included. */
const anyUnits = fc.string({ unit: codeUnit, maxLength: 40 });
const oddString = fc.oneof(fc.constantFrom(...ODD_PIECES), anyUnits, fc.string({ unit: "grapheme", maxLength: 20 }));

/** Values that go where they should not. */
export const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -1, 1e308, -1e308, 5e-324, 2 ** 53 + 1, 1767225600, 1767225600000, 1e11 - 1),
  fc.constantFrom("", " ", "0", "-1", "1767225600", "1767225600000", "null", "undefined", "true", "[]", "{}", "NaN", "Infinity", "1e400", "__proto__"),
  oddString,
  fc.constant([]),
  fc.constant({}),
  fc.constantFrom("1e400", "-0", "123456789012345678901234567890", "1.0E+2", "-1e-400").map((t) => new RawJson(t)),
  fc.jsonValue({ maxDepth: 3 }),
);

export type HugeAlphabet = "ascii" | "random" | "odd";

export type Mutation =
  | { op: "delete"; at: number }
  | { op: "replace"; at: number; value: unknown }
  | { op: "swapType"; at: number }
  | { op: "addField"; at: number; key: string; value: unknown }
  | { op: "duplicateKey"; at: number; value: unknown; last: boolean }
  | { op: "injectUnicode"; at: number; piece: string; pos: number }
  | { op: "huge"; at: number; size: number; alphabet: HugeAlphabet; seed: number }
  | { op: "deep"; at: number; depth: number; kind: "array" | "object" }
  | { op: "duplicateElement"; at: number }
  | { op: "recipient"; to: "unknown" | "other" | "number" | "empty" };

const at = fc.nat();
export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant("delete" as const), at }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant("replace" as const), at, value: nastyValue }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("swapType" as const), at }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("addField" as const), at, key: fc.oneof(fc.constantFrom("__proto__", "constructor", "toString", "", "is_echo", "is_deleted", "message", "mid", "watermark", "mids", "timestamp", "app_id", "reply_to", "standby", "statuses", "errors", "emoji", "action", "read", "postback", "delivery", "reaction"), oddString), value: nastyValue }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("duplicateKey" as const), at, value: nastyValue, last: fc.boolean() }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant("injectUnicode" as const), at, piece: oddString, pos: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant("huge" as const),
      at,
      size: fc.constantFrom(3_000, 10_000, 100_000, 150_000),
      alphabet: fc.constantFrom<HugeAlphabet>("ascii", "random", "odd"),
      seed: fc.nat(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("deep" as const), at, depth: fc.constantFrom(2, 31, 33, 200, 5_000, 20_000), kind: fc.constantFrom("array" as const, "object" as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("duplicateElement" as const), at }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("recipient" as const), to: fc.constantFrom("unknown" as const, "other" as const, "number" as const, "empty" as const) }) },
);

export type Style = "meta" | "plain" | "pretty";
export const style = fc.constantFrom<Style>("meta", "meta", "plain", "pretty");

/** Changes to the bytes after serialising: bad UTF-8, a BOM, a cut, trailing junk. */
export type ByteMutation =
  | { op: "badUtf8"; bytes: number[]; pos: number }
  | { op: "bom" }
  | { op: "truncate"; pos: number }
  | { op: "trailing"; junk: string };

export const INVALID_UTF8: number[][] = [
  [0xff], [0xfe], [0x80], [0xc0, 0xaf], [0xc1, 0xbf], [0xe0, 0x80, 0xaf], [0xf0, 0x80, 0x80, 0xaf],
  [0xed, 0xa0, 0x80], [0xed, 0xbf, 0xbf], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe2, 0x82], [0xf4, 0x90, 0x80, 0x80],
];

export const byteMutation: fc.Arbitrary<ByteMutation> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant("badUtf8" as const), bytes: fc.constantFrom(...INVALID_UTF8), pos: fc.nat() }) },
  { weight: 1, arbitrary: fc.constant({ op: "bom" as const }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("truncate" as const), pos: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("trailing" as const), junk: fc.constantFrom(",", "}", " \n", "{}", "\u0000") }) },
);

export interface RecipientContext {
  recipient: string;
  /** A connected recipient of the same platform in the other portfolio. */
  other: string;
}

/** Fields the parsers and the router read: where a mutation finds the most. */
const KEY_FIELDS = new Set([
  "object", "entry", "id", "changes", "field", "value", "metadata", "phone_number_id", "contacts", "wa_id", "user_id", "profile", "name",
  "messages", "statuses", "message_echoes", "errors", "from", "from_user_id", "to", "type", "timestamp", "text", "body", "caption",
  "reaction", "message_id", "emoji", "status", "recipient_id", "context", "messaging", "standby", "sender", "recipient", "message",
  "mid", "is_echo", "is_deleted", "is_unsupported", "app_id", "attachments", "payload", "url", "reply_to", "story", "read", "watermark",
  "delivery", "mids", "postback", "title", "action", "time", "interactive", "button_reply", "list_reply", "location", "latitude",
]);

type Path = Array<string | number>;
type Container = Record<string, unknown> | unknown[];

const isContainer = (v: unknown): v is Container => typeof v === "object" && v !== null && !(v instanceof RawJson) && !(v instanceof DuplicateKeys);

/** Every node below the root, parents before children. */
function paths(root: unknown): Path[] {
  const out: Path[] = [];
  const walk = (v: unknown, p: Path) => {
    if (!isContainer(v)) return;
    const keys: Array<string | number> = Array.isArray(v) ? v.map((_, i) => i) : Object.keys(v);
    for (const k of keys) {
      const child = [...p, k];
      out.push(child);
      walk((v as Record<string | number, unknown>)[k], child);
    }
  };
  walk(root, []);
  return out;
}

function get(root: unknown, p: Path): unknown {
  return p.reduce<unknown>((v, k) => (isContainer(v) ? (v as Record<string | number, unknown>)[k] : undefined), root);
}

function set(root: unknown, p: Path, value: unknown): void {
  const parent = get(root, p.slice(0, -1));
  const key = p[p.length - 1]!;
  if (isContainer(parent)) (parent as Record<string | number, unknown>)[key] = value;
}

const hugeCache = new Map<HugeAlphabet, string>();

/** A deterministic string of `size` UTF-16 units that does not compress (like a real random id). */
export function hugeString(size: number, alphabet: HugeAlphabet, seed: number): string {
  if (alphabet === "ascii") return "A".repeat(size);
  let pool = hugeCache.get(alphabet);
  if (!pool) {
    let x = 2654435761;
    const chars = alphabet === "random" ? "abcdefghijklmnopqrstuvwxyz0123456789_-." : ODD_PIECES.join("");
    const parts: string[] = [];
    for (let i = 0; i < 200_000; i++) parts.push(chars[(x = (Math.imul(x, 1103515245) + 12345) >>> 0) % chars.length]!);
    pool = parts.join("");
    hugeCache.set(alphabet, pool);
  }
  const start = seed % 1000;
  return pool.slice(start, start + size);
}

function deep(depth: number, kind: "array" | "object"): RawJson {
  return kind === "array" ? new RawJson(`${"[".repeat(depth)}"x"${"]".repeat(depth)}`) : new RawJson(`${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`);
}

function swapType(v: unknown): unknown {
  if (typeof v === "string") return /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v.length;
  if (typeof v === "number") return String(v);
  if (typeof v === "boolean") return v ? "true" : 1;
  if (Array.isArray(v)) return Object.fromEntries(v.map((x, i) => [String(i), x]));
  if (isContainer(v)) return Object.values(v);
  return v === null ? "null" : v;
}

function replaceEverywhere(v: unknown, from: string, to: unknown): unknown {
  if (v === from) return to;
  if (Array.isArray(v)) return v.map((x) => replaceEverywhere(x, from, to));
  if (isContainer(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, replaceEverywhere(x, from, to)]));
  return v;
}

/** Applies the mutations in order to a copy of `payload`. */
export function applyMutations(payload: unknown, mutations: Mutation[], ctx: RecipientContext): unknown {
  let root = structuredClone(payload);
  for (const m of mutations) {
    if (m.op === "recipient") {
      const to = { unknown: "999000000000999", other: ctx.other, number: /^\d+$/.test(ctx.recipient) ? Number(ctx.recipient) : ctx.recipient, empty: "" }[m.to];
      root = replaceEverywhere(root, ctx.recipient, to);
      continue;
    }
    const all = paths(root);
    if (all.length === 0) continue;
    // Half the mutations aim at the fields intake depends on; the rest anywhere.
    const focused = m.at % 2 === 1 ? all.filter((q) => KEY_FIELDS.has(String(q[q.length - 1]))) : [];
    const pool = focused.length ? focused : all;
    const p = pool[Math.floor(m.at / 2) % pool.length]!;
    const current = get(root, p);
    switch (m.op) {
      case "delete": {
        const parent = get(root, p.slice(0, -1));
        if (Array.isArray(parent)) parent.splice(p[p.length - 1] as number, 1);
        else if (isContainer(parent)) delete (parent as Record<string, unknown>)[p[p.length - 1] as string];
        break;
      }
      case "replace":
        set(root, p, structuredCloneSafe(m.value));
        break;
      case "swapType":
        set(root, p, swapType(current));
        break;
      case "addField": {
        const target = isContainer(current) && !Array.isArray(current) ? current : get(root, p.slice(0, -1));
        if (isContainer(target) && !Array.isArray(target)) Object.defineProperty(target, m.key, { value: structuredCloneSafe(m.value), enumerable: true, configurable: true, writable: true });
        break;
      }
      case "duplicateKey": {
        const parent = get(root, p.slice(0, -1));
        const key = p[p.length - 1];
        if (!isContainer(parent) || Array.isArray(parent) || typeof key !== "string") break;
        const entries = Object.entries(parent).flatMap(([k, v]): Array<[string, unknown]> =>
          k !== key ? [[k, v]] : m.last ? [[k, v], [k, m.value]] : [[k, m.value], [k, v]],
        );
        if (p.length === 1) root = new DuplicateKeys(entries);
        else set(root, p.slice(0, -1), new DuplicateKeys(entries));
        break;
      }
      case "injectUnicode":
        if (typeof current === "string") {
          const i = m.pos % (current.length + 1);
          set(root, p, current.slice(0, i) + m.piece + current.slice(i));
        } else set(root, p, m.piece);
        break;
      case "huge":
        set(root, p, hugeString(m.size, m.alphabet, m.seed));
        break;
      case "deep":
        set(root, p, deep(m.depth, m.kind));
        break;
      case "duplicateElement": {
        const parent = get(root, p.slice(0, -1));
        if (Array.isArray(parent)) parent.push(structuredCloneSafe(current));
        break;
      }
    }
  }
  return root;
}

function structuredCloneSafe(v: unknown): unknown {
  return v instanceof RawJson || v instanceof DuplicateKeys ? v : structuredClone(v);
}

/** JSON text: "meta" escapes non-ASCII and "/" as Meta does; "plain" is raw UTF-8; "pretty" is indented. */
export function serialize(value: unknown, s: Style): string {
  const str = (x: string) => {
    const json = JSON.stringify(x);
    return s === "meta" ? json.replace(/\//g, "\\/").replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`) : json;
  };
  const nl = s === "pretty" ? "\n" : "";
  const sp = s === "pretty" ? " " : "";
  const write = (v: unknown): string => {
    if (v instanceof RawJson) return v.text;
    if (v instanceof DuplicateKeys) return `{${v.entries.map(([k, x]) => `${nl}${str(k)}:${sp}${write(x)}`).join(",")}${nl}}`;
    if (typeof v === "string") return str(v);
    if (typeof v === "number") return Number.isFinite(v) ? JSON.stringify(v) : "null";
    if (typeof v === "boolean" || v === null || v === undefined) return JSON.stringify(v ?? null);
    if (Array.isArray(v)) return `[${v.map(write).join(",")}]`;
    return `{${Object.entries(v as Record<string, unknown>).map(([k, x]) => `${nl}${str(k)}:${sp}${write(x)}`).join(",")}${nl}}`;
  };
  return write(value);
}

export function applyByteMutation(body: Buffer, m: ByteMutation | null): Buffer {
  if (!m) return body;
  switch (m.op) {
    case "badUtf8": {
      const i = m.pos % (body.length + 1);
      return Buffer.concat([body.subarray(0, i), Buffer.from(m.bytes), body.subarray(i)]);
    }
    case "bom":
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body]);
    case "truncate":
      return body.subarray(0, m.pos % (body.length + 1));
    case "trailing":
      return Buffer.concat([body, Buffer.from(m.junk)]);
  }
}
