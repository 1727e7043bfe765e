// Signed WhatsApp Cloud API text webhooks in Meta's wire format (test/fakes/meta-webhook.ts
// builders): every one carries a wamid of its own, from one of a pool of customers.
import { createHmac } from "node:crypto";
import { metaJson, signBody, waText } from "../test/fakes/meta-webhook.js";
import type { Business } from "./database.js";

export interface SignedWebhook {
  body: string;
  headers: Record<string, string>;
  /** The customer's wa_id. */
  from: string;
}

export class WebhookFactory {
  private n = 0;

  constructor(
    private readonly business: Business,
    /** Distinct runs and phases get distinct wamids and customers. */
    private readonly tag: string,
  ) {}

  /** The customer numbered `i` of this factory's pool: a 11-digit wa_id. */
  customer(i: number): string {
    return `1555${String(i).padStart(7, "0")}`;
  }

  /** The next message, from customer `customerIndex`. */
  next(customerIndex: number, text = "Hi! Are you open on Sunday?"): SignedWebhook {
    const n = ++this.n;
    const from = this.customer(customerIndex);
    const id = `wamid.HBgL${from}FQIAEhgU${this.tag}${n.toString(16).toUpperCase().padStart(12, "0")}`;
    const body = metaJson(waText({ pnid: this.business.phoneNumberId, waba: this.business.wabaId, displayPhone: "15550100200", from, id, body: text, name: `Customer ${customerIndex}` }));
    return { body, headers: signedHeaders(body, this.business.appSecret), from };
  }
}

/** The headers Meta sends with a webhook, both signatures included. */
export function signedHeaders(body: string, appSecret: string): Record<string, string> {
  return {
    "content-type": "application/json",
    "user-agent": "facebookexternalua",
    "x-hub-signature-256": signBody(body, appSecret),
    "x-hub-signature": `sha1=${createHmac("sha1", appSecret).update(body).digest("hex")}`,
  };
}
