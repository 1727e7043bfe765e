import { AppError } from "../errors.js";
import type { CustomerRecord, CustomerRightsStore, StoredMessage } from "./ports.js";

/** Bumped when a field changes meaning or disappears; added fields keep the version. */
export const customerExportFormatVersion = 1;

/**
 * Everything Cosbot stores about one customer, as one JSON document (their right of access,
 * exercised through the business): profile, notes, every conversation with every message and its
 * statuses, and delivery statuses still waiting for their message. Media bytes are never stored,
 * so media appear as the platform's metadata (ids, mime types, URLs) only.
 */
export async function exportCustomer(
  input: { portfolioId: string; customerId: string },
  deps: { store: CustomerRightsStore; now(): Date },
) {
  const record = await deps.store.customerRecord(input.portfolioId, input.customerId);
  if (!record) throw new AppError("not_found", `no customer ${input.customerId}`);
  return customerExportDocument(record, deps.now());
}

export function customerExportDocument(record: CustomerRecord, exportedAt: Date) {
  const { customer, channel } = record;
  return {
    format: "cosbot.customer-export",
    formatVersion: customerExportFormatVersion,
    exportedAt: exportedAt.toISOString(),
    portfolioId: customer.portfolioId,
    customer: {
      id: customer.id,
      platform: channel.platform,
      channel: { id: channel.id, platform: channel.platform, externalId: channel.externalId, displayName: channel.displayName },
      platformUserId: customer.platformUserId,
      profileName: customer.profileName,
      firstSeenAt: customer.firstSeenAt,
      lastSeenAt: customer.lastSeenAt,
    },
    notes: record.notes.map((n) => ({
      id: String(n.id),
      author: { memberId: n.authorMemberId, name: n.authorName },
      body: n.body,
      createdAt: n.createdAt,
      updatedAt: n.updatedAt,
    })),
    conversations: record.conversations.map((c) => ({
      id: c.id,
      channelId: c.channelId,
      mode: c.mode,
      createdAt: c.createdAt,
      lastInboundAt: c.lastInboundAt,
      lastMessageAt: c.lastMessageAt,
      unreadCount: c.unreadCount,
      deliveryWatermarks: { deliveredUpTo: c.deliveredWatermark, readUpTo: c.readWatermark },
      attention: c.attentionCode ? { code: c.attentionCode, reason: c.attentionReason, at: c.attentionAt } : null,
      messages: c.messages.map(messageView),
    })),
    pendingStatuses: record.pendingStatuses,
  };
}

function messageView(m: StoredMessage) {
  return {
    id: String(m.id),
    direction: m.direction,
    author: { kind: m.author, memberId: m.authorMemberId },
    kind: m.kind,
    text: m.text,
    /** Media metadata (platform media id, mime type, file name, URL), location, contacts, interactive ids. */
    details: m.details ?? null,
    raw: m.raw ?? null,
    platformMessageId: m.platformMessageId,
    replyToPlatformId: m.replyToPlatformId,
    answersMessageId: m.answersMessageId === null ? null : String(m.answersMessageId),
    reaction: m.reaction,
    status: m.status,
    times: { occurredAt: m.occurredAt, storedAt: m.createdAt, sentAt: m.sentAt, deliveredAt: m.deliveredAt, readAt: m.readAt, failedAt: m.failedAt },
    error: m.errorCode || m.errorTitle || m.errorDetail ? { code: m.errorCode, title: m.errorTitle, reason: m.errorDetail } : null,
    // Edits are not modelled (Meta's edit events are not stored), so there is no edited flag to export.
    deleted: m.deleted,
  };
}
