import { z } from "zod";
import type { LiveStreams } from "../live-stream.js";
import { id } from "../params.js";
import { route, type ApiRoute } from "../route.js";

const lastEventId = z.string().max(40).regex(/^\d{1,16}-\d{1,16}$/, "must be an id this stream sent");

/** The live inbox's stream: every change in the portfolio, as server-sent events. */
export function eventRoutes(streams: LiveStreams): ApiRoute[] {
  return [
    route({
      method: "GET",
      path: "/portfolios/:portfolioId/events",
      access: "conversations:read",
      stream: "sse",
      params: z.object({ portfolioId: id }),
      query: z.object({ lastEventId: lastEventId.optional().describe("For reconnects that cannot send the Last-Event-ID header") }).strict(),
      summary:
        "Server-sent events of the portfolio: message.created, message.status, message.updated, conversation.changed, channel.state " +
        "(each with `id:`, `event:` and JSON `data:`). Reconnect with Last-Event-ID (or ?lastEventId=) to get what was missed first; " +
        "`resync` means refetch. `ready` follows the catch-up; a comment line every LIVE_HEARTBEAT_MS.",
      async handle({ tenant, query, c }) {
        const header = c.req.header("last-event-id")?.trim();
        // A header we never sent is treated like one the log forgot: the client resyncs.
        const last = header ? (lastEventId.safeParse(header).success ? header : "0-0") : query.lastEventId;
        return streams.respond(c, tenant, last);
      },
    }),
  ];
}
