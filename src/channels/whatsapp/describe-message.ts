import type { MessageKind } from "../../core/events.js";
import * as wa from "./webhook-schema.js";

/** What a WhatsApp message says, in words the inbox and the model can read, with its details. */

export interface Described {
  kind: MessageKind;
  /** Never empty, never "undefined": the model and the inbox read it (C14). */
  text: string;
  details: Record<string, unknown>;
}

export function describeMessage(type: string, raw: Record<string, unknown>, message: wa.WhatsAppMessageBase): Described {
  switch (type) {
    case "text": {
      const { body } = wa.readContent(wa.textSchema, raw.text);
      return { kind: "text", text: filled(body) ?? "[empty message]", details: {} };
    }
    case "image":
    case "video":
    case "audio":
    case "document":
    case "sticker":
      return describeMedia(type, wa.readContent(wa.mediaSchema, raw[type]));
    case "location": {
      const loc = wa.readContent(wa.locationSchema, raw.location);
      const place = [filled(loc.name), filled(loc.address)].filter(isString).join(", ");
      const coords = loc.latitude !== undefined && loc.longitude !== undefined ? `(${loc.latitude}, ${loc.longitude})` : "";
      const inner = [place, coords].filter(Boolean).join(" ");
      return { kind: "location", text: inner ? `[location: ${inner}]` : "[location]", details: compact({ ...loc }) };
    }
    case "contacts": {
      const cards = Array.isArray(raw.contacts) ? raw.contacts : [];
      const parts = cards.map((c) => describeSharedContact(wa.readContent(wa.sharedContactSchema, c))).filter(Boolean);
      return { kind: "contacts", text: parts.length ? `[contact: ${parts.join("; ")}]` : "[contact]", details: { contacts: cards } };
    }
    case "interactive":
      return describeInteractive(wa.readContent(wa.interactiveSchema, raw.interactive));
    case "button": {
      // A tap on a template quick-reply button.
      const button = wa.readContent(wa.buttonSchema, raw.button);
      const text = filled(button.text) ?? filled(button.payload) ?? "[button reply]";
      return { kind: "interactive", text, details: compact({ interactiveType: "button", payload: button.payload, title: button.text }) };
    }
    case "order": {
      const order = wa.readContent(wa.orderSchema, raw.order);
      const items = order.product_items ?? [];
      const summary = `[order: ${items.length} ${items.length === 1 ? "item" : "items"}]`;
      const note = filled(order.text);
      return { kind: "order", text: note ? `${summary} ${note}` : summary, details: compact({ catalogId: order.catalog_id, note, productItems: items }) };
    }
    case "system": {
      const system = wa.readContent(wa.systemSchema, raw.system);
      const text = filled(system.body) ?? `[system: ${filled(system.type) ?? "update"}]`;
      return { kind: "system", text, details: compact({ systemType: system.type, newWaId: system.wa_id, newUserId: system.user_id }) };
    }
    default: {
      // unsupported, unknown, and any type Meta adds later (edit, poll, …) (C14).
      const unsupported = wa.readContent(wa.unsupportedSchema, raw.unsupported);
      const shownType = filled(unsupported.type) ?? type;
      return {
        kind: "unsupported",
        text: `[unsupported message: ${shownType}]`,
        details: compact({ type, unsupportedType: unsupported.type, errors: message.errors?.map(wa.readPlatformError) }),
      };
    }
  }
}

type Media = ReturnType<typeof wa.mediaSchema.parse>;

function describeMedia(type: "image" | "video" | "audio" | "document" | "sticker", media: Media): Described {
  const details = compact({
    mediaId: media.id,
    mimeType: media.mime_type,
    sha256: media.sha256,
    url: media.url,
    caption: media.caption,
    filename: media.filename,
    voice: media.voice,
    animated: media.animated,
  });
  const caption = filled(media.caption);
  const filename = filled(media.filename);
  let placeholder: string;
  if (type === "audio") placeholder = media.voice ? "[voice message]" : "[audio]";
  else if (type === "document") placeholder = filename ? `[document: ${filename}]` : "[document]";
  else placeholder = `[${type}]`;
  return { kind: type, text: caption ?? placeholder, details };
}

function describeInteractive(reply: ReturnType<typeof wa.interactiveSchema.parse>): Described {
  const choice = reply.button_reply ?? reply.list_reply;
  if ((reply.type === "button_reply" || reply.type === "list_reply" || !reply.type) && choice) {
    const description = reply.list_reply?.description;
    const text = filled(choice.title) ?? filled(choice.id) ?? "[interactive reply]";
    return { kind: "interactive", text, details: compact({ interactiveType: reply.type, id: choice.id, title: choice.title, description }) };
  }
  if (reply.type === "nfm_reply") {
    const form = reply.nfm_reply;
    return { kind: "interactive", text: "[form reply]", details: compact({ interactiveType: "nfm_reply", name: form?.name, body: form?.body, responseJson: form?.response_json }) };
  }
  return { kind: "interactive", text: "[interactive reply]", details: compact({ interactiveType: reply.type }) };
}

function describeSharedContact(card: ReturnType<typeof wa.sharedContactSchema.parse>): string {
  const name =
    filled(card.name?.formatted_name) ?? ([filled(card.name?.first_name), filled(card.name?.last_name)].filter(isString).join(" ") || undefined);
  const phones = (card.phones ?? []).map((p) => filled(p.phone) ?? filled(p.wa_id)).filter(isString);
  return [name, phones.join(", ")].filter(Boolean).join(" / ");
}

export function filled(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== "" ? value : undefined;
}

export function isString(value: string | undefined): value is string {
  return value !== undefined;
}

export function compact(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined));
}
