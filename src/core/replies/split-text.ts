export interface TextLimit {
  max: number;
  /** "chars" counts code points (an emoji is 1); "bytes" counts UTF-8 bytes (an emoji is 4). */
  unit: "chars" | "bytes";
}

type Measure = (s: string) => number;

const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });

// Break kinds in order of preference. Each regex finds the index where the part would end.
const PARAGRAPH = /\n[ \t\r]*\n/g;
// After . ! ? … (and closing quotes/brackets) before whitespace; CJK full stops need no space.
const SENTENCE = /[.!?…]["'”’)\]]*(?=\s)|[。！？]["'”’」』）)]*/g;
const LINE = /\n/g;
const SPACE = /\s/g;

/**
 * Splits a reply into parts that each fit the platform's limit, cutting only between whole
 * characters (graphemes where possible, never inside a surrogate pair) and preferring a paragraph
 * break, then a sentence end, then a line break, then any whitespace. Whitespace at each cut is
 * dropped and no part is empty.
 */
export function splitText(text: string, limit: TextLimit): string[] {
  if (!Number.isInteger(limit.max) || limit.max < 1) throw new RangeError(`limit.max must be a positive integer, got ${limit.max}`);
  const measure: Measure = limit.unit === "bytes" ? (s) => Buffer.byteLength(s, "utf8") : countCodePoints;

  const parts: string[] = [];
  let rest = text.trim();
  while (rest !== "") {
    if (measure(rest) <= limit.max) {
      parts.push(rest);
      break;
    }
    const fits = fittingPrefixLength(rest, limit.max, measure);
    const cut = chooseCut(rest, fits);
    parts.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  return parts;
}

/** Length (UTF-16 units) of the longest prefix of whole graphemes that fits; at least one code point. */
function fittingPrefixLength(text: string, max: number, measure: Measure): number {
  let length = 0;
  let size = 0;
  for (const { segment } of segmenter.segment(text)) {
    const next = measure(segment);
    if (size + next > max) {
      // A single grapheme larger than the whole limit (long ZWJ or combining sequences):
      // fall back to code points so the text still goes out.
      if (length === 0) return codePointPrefixLength(segment, max, measure);
      break;
    }
    size += next;
    length += segment.length;
  }
  return length;
}

function codePointPrefixLength(text: string, max: number, measure: Measure): number {
  let length = 0;
  let size = 0;
  for (const codePoint of text) {
    const next = measure(codePoint);
    // If even one code point is over the limit (bytes limit < 4), send it alone rather than loop forever.
    if (size + next > max && length > 0) break;
    size += next;
    length += codePoint.length;
  }
  return length;
}

/**
 * Where to end the next part, given that `fits` units of `text` fit. A break at exactly `fits`
 * counts when the text continues with whitespace there. Breaks in the first half of the window are
 * only used if nothing better exists, so a stray early paragraph break does not make a tiny part.
 */
function chooseCut(text: string, fits: number): number {
  const window = text.slice(0, fits + 1);
  const half = Math.floor(fits / 2);
  let fallback = 0;
  for (const pattern of [PARAGRAPH, SENTENCE, LINE, SPACE]) {
    const cut = lastBreak(window, pattern, fits);
    if (cut >= half && cut > 0) return cut;
    fallback = Math.max(fallback, cut);
  }
  return fallback > 0 ? fallback : fits;
}

function lastBreak(window: string, pattern: RegExp, fits: number): number {
  let best = 0;
  for (const match of window.matchAll(pattern)) {
    // Paragraph, line and space breaks end the part before the whitespace; sentences after the mark.
    const end = pattern === SENTENCE ? match.index + match[0].length : match.index;
    if (end <= fits && end > best) best = end;
  }
  return best;
}

function countCodePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}
