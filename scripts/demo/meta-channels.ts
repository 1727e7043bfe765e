// The demo's Messenger Page and Instagram account (Instagram Login), connected with the admin CLI's
// own commands, and how each platform's webhooks look (meta-platform.md §4.1, §5.2).
import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { addInstagram, addMessenger } from "../../src/cli/commands/channel-meta.js";
import type { ChannelCredentials } from "../../src/core/ports.js";
import { channels } from "../../src/db/schema/index.js";
import { type FakeGraphApi, igEvent, igMessage, pageEvent, pageMessage, type WebhookPayload } from "../../test/fakes/index.js";
import { check, runCli, say, type Stage } from "./harness.js";

/** Our Meta app (META_APP_ID in the demo's config): echoes carrying it are the server's own sends. */
export const OUR_APP_ID = "1789123456789012";
/** The Page Inbox / Meta Business Suite app: its echoes are a person answering in Meta's own inbox. */
export const META_INBOX_APP_ID = "263902037430900";

/** One direct-message conversation: who takes part, what is said, and the platform's shapes. */
export interface Dm {
  platform: "messenger" | "instagram";
  app: "Messenger" | "Instagram";
  /** Page id or Instagram professional account id: what webhooks are routed by. */
  businessId: string;
  channelId: string;
  /** The fake Graph host sends must reach, and the token they must carry. */
  fake: FakeGraphApi;
  host: string;
  token: string;
  appSecret: string;
  verifyToken: string;
  customer: { id: string; ref: string; name: string; profile: Record<string, string> };
  person: { name: string; inbox: string };
  lines: { question: string; person: string; followUp: string };
  /** A new customer-side message id, and one for a business send. */
  mid(): string;
  outMid(): string;
  /** A customer message, or, with `echoAppId`, the echo of a message the business sent. */
  message(mid: string, text: string, echoAppId?: string): WebhookPayload;
}

const hex = (n: number) => randomBytes(n).toString("hex");
/** An echo: from the business to the customer; Meta writes app_id as a JSON number. */
const echo = (businessId: string, customerId: string, mid: string, text: string, appId: string) => ({
  sender: { id: businessId },
  recipient: { id: customerId },
  timestamp: Date.now(),
  message: { mid, is_echo: true, app_id: Number(appId), text },
});
const b64 = (n: number) => randomBytes(n).toString("base64url");

export async function connectMessenger(stage: Stage): Promise<Dm> {
  const pageId = "108312345678901";
  const psid = "24701936452012345";
  const dm = {
    platform: "messenger" as const,
    app: "Messenger" as const,
    businessId: pageId,
    fake: stage.graph,
    host: "graph.facebook.com",
    token: `EAAGpage${hex(24)}`,
    appSecret: hex(16),
    verifyToken: `demo-verify-${hex(4)}`,
    customer: { id: psid, ref: `PSID ${psid}`, name: "Lena Okafor", profile: { first_name: "Lena", last_name: "Okafor" } },
    person: { name: "Tom", inbox: "the Page Inbox (Meta Business Suite)" },
    lines: {
      question: "Hi! Do you bake anything gluten-free?",
      person: "Hi Lena, Tom from the bakery here. Shall I put a buckwheat loaf aside for you this Friday?",
      followUp: "Yes please! I'll pick it up around 10.",
    },
    mid: () => `m_${b64(24)}`,
    outMid: () => `m_${b64(24)}`,
    message: (mid: string, text: string, echoAppId?: string) =>
      echoAppId ? pageEvent(pageId, echo(pageId, psid, mid, text, echoAppId)) : pageMessage({ pageId, psid, mid, text }),
  };
  // Connecting asks Meta whether the Page answers its token: the stand-in knows this Page.
  stage.graph.accounts.addPage({ id: pageId, token: dm.token, name: `${stage.business} Page` });
  const { out, info } = await runCli(stage, addMessenger, [
    "--portfolio", stage.portfolio.slug, "--page-id", pageId, "--page-token", dm.token,
    "--app-secret", dm.appSecret, "--verify-token", dm.verifyToken, "--display-name", `${stage.business} on Messenger`,
  ]);
  say(`  Messenger    \`channel add-messenger\`: ${info.join("; ")}`);
  return { ...dm, channelId: out[0]! };
}

/** Instagram Login: the short-lived token is exchanged on the graph.instagram.com stand-in. */
export async function connectInstagram(stage: Stage): Promise<Dm> {
  const igId = "17841405822304914";
  const igsid = "17842216459871234";
  const shortLived = `IGQWR${b64(32)}`;
  const igAppSecret = hex(16);
  // The graph.instagram.com stand-in knows the account, its short-lived token and the app secret.
  stage.igGraph.accounts.addInstagramUser({ userId: igId, shortLivedToken: shortLived, username: "demobakery" });
  stage.igGraph.accounts.instagramAppSecret = igAppSecret;
  const { out, info } = await runCli(stage, addInstagram, [
    "--portfolio", stage.portfolio.slug, "--account-id", igId, "--token", shortLived, "--instagram-app-secret", igAppSecret,
    "--verify-token", `demo-verify-${hex(4)}`, "--display-name", `@demobakery`,
  ]);
  say(`  Instagram    \`channel add-instagram\`: ${info.join("; ")}`);
  const channelId = out[0]!;

  const [row] = await stage.db.select().from(channels).where(eq(channels.id, channelId));
  const creds = stage.cosbot.box.openJson<ChannelCredentials>(row!.credentials);
  const exchange = stage.igGraph.requests.find((r) => r.path === "/access_token");
  check("Instagram: the short-lived token was exchanged on graph.instagram.com with the Instagram app secret",
    exchange?.query.grant_type === "ig_exchange_token" && exchange.query.client_secret === igAppSecret && exchange.query.access_token === shortLived);
  const lifeDays = row!.tokenExpiresAt && row!.tokenIssuedAt ? (row!.tokenExpiresAt.getTime() - row!.tokenIssuedAt.getTime()) / 86_400_000 : 0;
  check("Instagram: only the long-lived token is stored, expiring in 60 days",
    creds.accessToken !== shortLived && creds.instagramLogin === "instagram" && lifeDays === 60, `${lifeDays} days`);

  return {
    platform: "instagram",
    app: "Instagram",
    businessId: igId,
    channelId,
    fake: stage.igGraph,
    host: "graph.instagram.com",
    token: creds.accessToken,
    appSecret: igAppSecret,
    verifyToken: creds.verifyToken!,
    customer: { id: igsid, ref: `IGSID ${igsid}`, name: "Noor Haddad", profile: { name: "Noor Haddad", username: "noor.bakes" } },
    person: { name: "Jonas", inbox: "Meta Business Suite's inbox" },
    lines: {
      question: "hey! are your cinnamon rolls vegan? 🌱",
      person: "Jonas from the bakery here: we're trying a vegan cinnamon roll this Saturday, I'll keep one for you!",
      followUp: "amazing, thank you!! 🙏",
    },
    mid: () => `aWdfZAG1faXRlbToxOk${b64(15)}`,
    outMid: () => `aWdfZAG1faXRlbToxOk${b64(15)}`,
    // Instagram echoes come in the messages field, from the account to the customer (§5.2).
    message: (mid, text, echoAppId) => (echoAppId ? igEvent(igId, echo(igId, igsid, mid, text, echoAppId)) : igMessage({ igId, igsid, mid, text })),
  };
}
