import { Hono } from "hono";
import { bodySizeLimit } from "../middleware/body-size.js";
import { verifyMetaSignature, verifyToken } from "../../channels/meta/signature.js";
import type { ParsedWebhook, Platform } from "../../core/events.js";
import { handleWebhookEvents, type InboundDeps } from "../../core/inbound/handle-webhook-events.js";

export interface WebhookParser {
  parse(body: unknown): ParsedWebhook;
  /** Thrown by `parse` when the body is not this platform's webhook at all. */
  isEnvelopeError(error: unknown): boolean;
}

export interface WebhookRouteDeps extends InboundDeps {
  parsers: Partial<Record<Platform, WebhookParser>>;
  maxBodyBytes: number;
}

const decoder = new TextDecoder("utf-8", { fatal: true });

/** Meta's webhooks: the GET handshake and signed POSTs, one path per platform. */
export function webhookRoutes(deps: WebhookRouteDeps): Hono {
  const app = new Hono();
  const parserFor = (name: string) => (Object.hasOwn(deps.parsers, name) ? deps.parsers[name as Platform] : undefined);

  app.get("/:platform", async (c) => {
    const platform = c.req.param("platform") as Platform;
    if (!parserFor(platform)) return c.json({ error: `unknown platform ${platform}` }, 404);
    const mode = c.req.query("hub.mode");
    const token = c.req.query("hub.verify_token");
    const challenge = c.req.query("hub.challenge");
    if (mode !== "subscribe" || !token || challenge === undefined) {
      return c.text("expected hub.mode=subscribe, hub.verify_token and hub.challenge", 400);
    }
    if (!verifyToken(token, await deps.directory.verifyTokens(platform))) return c.text("verify token does not match", 403);
    return c.text(challenge, 200);
  });

  app.post(
    "/:platform",
    bodySizeLimit({ maxSize: deps.maxBodyBytes, onError: (c) => c.json({ error: `body larger than ${deps.maxBodyBytes} bytes` }, 413, { Connection: "close" }) }),
    async (c) => {
      const platform = c.req.param("platform") as Platform;
      const parser = parserFor(platform);
      if (!parser) return c.json({ error: `unknown platform ${platform}` }, 404);
      // The signature covers the bytes exactly as sent: verify before anything reads them.
      const raw = new Uint8Array(await c.req.arrayBuffer());
      const signedWith = verifyMetaSignature(raw, c.req.header("x-hub-signature-256"), await deps.directory.appSecrets(platform));
      if (!signedWith) {
        deps.counters.inc("webhook_signature_failure", { platform });
        return c.json({ error: "missing or invalid X-Hub-Signature-256" }, 401);
      }
      let body: unknown;
      try {
        body = JSON.parse(decoder.decode(raw));
      } catch {
        return c.json({ error: "body is not valid UTF-8 JSON" }, 400);
      }
      let parsed: ParsedWebhook;
      try {
        parsed = parser.parse(body);
      } catch (error) {
        if (!parser.isEnvelopeError(error)) throw error;
        return c.json({ error: (error as Error).message }, 400);
      }
      deps.counters.inc("webhook_received", { platform });
      if (parsed.skipped.length) deps.counters.inc("webhook_item_skipped", { platform }, parsed.skipped.length);
      const outcome = await handleWebhookEvents(parsed.events, signedWith, deps);
      if (outcome.failed) return c.json({ error: "some events could not be stored; deliver again" }, 500);
      return c.text("EVENT_RECEIVED", 200);
    },
  );
  return app;
}
