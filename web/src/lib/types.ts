export type Platform = "whatsapp" | "messenger" | "instagram";
export type Role = "owner" | "admin" | "agent";
export type Mode = "ai" | "manual";

/** The API's cap on a portfolio's name (portfolioName in src/http/api/params.ts). */
export const portfolioNameMax = 100;

export interface PortfolioRef { id: string; name: string; slug: string; role: Role }
export interface Me { user: { id: string; name: string; email: string }; portfolios: PortfolioRef[]; next: "create_portfolio" | null }

export interface ConversationListItem {
  id: string;
  channelId: string;
  platform: Platform;
  customer: { id: string; platformUserId: string; profileName: string | null };
  mode: Mode;
  unreadCount: number;
  lastMessageAt: string | null;
  lastInboundAt: string | null;
  lastMessageText: string | null;
  attentionCode: string | null;
  attentionReason: string | null;
}
export interface ConversationPage { conversations: ConversationListItem[]; nextCursor: string | null }

export interface Customer {
  id: string;
  channelId: string;
  platform: Platform;
  platformUserId: string;
  profileName: string | null;
  firstSeenAt: string | null;
  lastSeenAt: string | null;
}

export interface MessagingWindow {
  lastInboundAt: string | null;
  aiUntil: string | null;
  humanUntil: string | null;
  open: boolean;
  afterwards: string | null;
}

export interface ConversationHead {
  conversation: {
    id: string;
    mode: Mode;
    unreadCount: number;
    lastMessageAt: string | null;
    createdAt: string;
    attention: { code: string; reason: string | null; at: string | null } | null;
    window: MessagingWindow;
  };
  customer: Customer;
  channel: { id: string; platform: Platform; externalId: string; displayName: string | null };
}

export type MessageStatus = "received" | "queued" | "sent" | "delivered" | "read" | "failed";
export type MessageKind =
  | "text" | "image" | "audio" | "video" | "document" | "sticker" | "location" | "contacts"
  | "reaction" | "interactive" | "order" | "system" | "share" | "unsupported";

export interface Message {
  id: number;
  conversationId: string;
  direction: "in" | "out";
  author: "customer" | "ai" | "member" | "business_app";
  authorMemberId: string | null;
  kind: MessageKind;
  text: string | null;
  details: Record<string, unknown> | null;
  reaction: string | null;
  status: MessageStatus;
  errorCode: string | null;
  errorTitle: string | null;
  errorDetail: string | null;
  occurredAt: string;
  sentAt: string | null;
  deliveredAt: string | null;
  readAt: string | null;
  failedAt: string | null;
  deleted: boolean;
}
export interface MessagePage { messages: Message[]; nextCursor: string | null }

export interface Note { id: string; customerId: string; author: { memberId: string; name: string }; body: string; createdAt: string; updatedAt: string | null }

export interface Channel {
  id: string;
  platform: Platform;
  externalId: string;
  accountId: string | null;
  displayName: string | null;
  state: "active" | "needs_reauth" | "disabled";
  stateReason: string | null;
  tokenExpiresAt: string | null;
  lastWebhookAt: string | null;
  createdAt: string;
  tokenHint: string | null;
  hasAppSecret: boolean;
  hasVerifyToken: boolean;
  instagramLogin: "instagram" | "facebook" | null;
  errorsLast24h: number;
}

export interface Agent {
  name: string;
  instructions: string;
  model: string;
  enabled: boolean;
  hasOwnOpenAiKey: boolean;
  openAiKeyHint: string | null;
  updatedAt: string | null;
}

export interface Member { id: string; userId: string; name: string; email: string; githubLogin: string | null; role: Role; joinedAt: string }
export interface Invitation { id: string; email: string | null; githubLogin: string | null; role: Role; inviterId: string; expiresAt: string; createdAt: string }
