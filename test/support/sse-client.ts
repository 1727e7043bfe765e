/** A small server-sent events client for tests: fetch, parse the stream, wait for events. */
export interface SseEvent {
  id?: string;
  event: string;
  data: string;
  /** `data` parsed as JSON, when it is JSON. */
  json: any;
}

export interface SseStream {
  status: number;
  headers: Headers;
  /** The response body, for an answer that is not a stream (an error). */
  text: string;
  /** Every event received so far, in order. */
  events: SseEvent[];
  /** Comment lines received (heartbeats). */
  comments: number;
  /** Resolves with the first event from `from` on (default: the next unseen one) that matches. */
  waitFor(match: (e: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent>;
  /** Resolves when the server ended the stream (or close() aborted it). */
  ended: Promise<void>;
  close(): void;
}

export async function openSse(url: string, options: { cookie?: string; lastEventId?: string } = {}): Promise<SseStream> {
  const abort = new AbortController();
  const headers: Record<string, string> = { accept: "text/event-stream" };
  if (options.cookie) headers.cookie = options.cookie;
  if (options.lastEventId) headers["last-event-id"] = options.lastEventId;
  const res = await fetch(url, { headers, signal: abort.signal });
  const events: SseEvent[] = [];
  const waiters = new Set<() => void>();
  let markEnded = () => {};
  const ended = new Promise<void>((resolve) => (markEnded = resolve));
  const stream: SseStream = {
    status: res.status,
    headers: res.headers,
    text: "",
    events,
    comments: 0,
    ended,
    waitFor(match, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = events.find(match);
          if (!found) return false;
          waiters.delete(check as () => void);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check as () => void);
          reject(new Error(`no matching event within ${timeoutMs} ms; got: ${events.map((e) => `${e.event}#${e.id ?? "-"}`).join(", ")}`));
        }, timeoutMs);
        if (!check()) waiters.add(check as () => void);
      });
    },
    close: () => abort.abort(),
  };
  if (!(res.headers.get("content-type") ?? "").startsWith("text/event-stream")) {
    stream.text = await res.text();
    markEnded();
    return stream;
  }
  void (async () => {
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer += value;
        let end: number;
        while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, "");
          const parsed = parseBlock(block);
          if (parsed === "comment") stream.comments++;
          else if (parsed) {
            events.push(parsed);
            for (const w of [...waiters]) w();
          }
        }
      }
    } catch {
      // Aborted by close().
    }
    markEnded();
  })();
  return stream;
}

function parseBlock(block: string): SseEvent | "comment" | undefined {
  let id: string | undefined;
  let event = "message";
  const data: string[] = [];
  let onlyComments = true;
  for (const line of block.split(/\r?\n/)) {
    if (line.startsWith(":")) continue;
    onlyComments = false;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "id") id = value;
    else if (field === "event") event = value;
    else if (field === "data") data.push(value);
  }
  if (onlyComments) return block.trim() ? "comment" : undefined;
  if (data.length === 0 && event === "message") return undefined;
  const text = data.join("\n");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { id, event, data: text, json };
}
