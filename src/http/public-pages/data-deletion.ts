// How to have data deleted, written for what the code does (see privacy.ts for the same rule).
import type { PublicPageFacts } from "./facts.js";
import { html, page } from "./html.js";
import {
  contact, dataDeletionPath, mailLink, metaDeauthorizePath, metaDeletionCallbackPath, metaDeletionStatusPath, operator, pageLinks, privacyPath, publicAddress, siteName,
} from "./site.js";

export function dataDeletionPage(f: PublicPageFacts): string {
  const write = f.contactEmail ? html`write to ${mailLink(f.contactEmail)}` : html`contact ${operator(f)} (no privacy contact address has been published here yet)`;
  const body = html`
<h1>Deleting your data</h1>
<p>Cosbot keeps a business's conversation history while the business's account is active. Here is how to have what
it stores about you deleted, depending on who you are. What is stored, and who else handles it, is in the
<a href="${privacyPath}">privacy policy</a>.</p>

<h2 id="customer">You wrote to a business on WhatsApp, Messenger or Instagram</h2>
<p>Your conversation is kept for the business you wrote to, so the request goes to that business (removing an app
in your Facebook settings does not reach it: that is for the people who connected the business's accounts).</p>
<ol>
<li>Ask the business, on the same chat or any other way, to delete your data. Say if you want a copy first.</li>
<li>Its owner or an admin can download everything Cosbot stores about you as one file (your profile, the notes about
you, every message in both directions with its delivery statuses), and can then erase you. Erasing removes at once and
for good: you, all your conversations and messages, the notes about you, delivery statuses still waiting for one of
your messages, the replies and look-ups scheduled for you, the cache markers of your messages and the recent
live-update log of the business's inbox.</li>
<li>If the business does not answer, ${write}. Say which business you wrote to, on which platform, and your phone
number (WhatsApp) or the name you use there (Messenger, Instagram).</li>
</ol>
<p class="muted">Your messages also stay in your own app and at Meta: delete them there too if you want them gone
everywhere. If you write to the business again, Cosbot starts afresh with a new conversation (a message that
arrives while the erasure runs is either erased with the rest or starts that new conversation).</p>

<h2 id="facebook">You connected a Facebook Page, Instagram account or WhatsApp number</h2>
<ol>
<li>In Facebook, open Settings › Apps and websites, find the app the business uses with Cosbot and remove it. Meta
tells this installation at <code>${publicAddress(f, metaDeauthorizePath)}</code>: the channels you connected are
disconnected and their access tokens deleted.</li>
<li>Ask there for your data to be deleted as well. Meta sends the request to
<code>${publicAddress(f, metaDeletionCallbackPath)}</code>; the channels you connected are disconnected, their access
tokens deleted and your Facebook user id removed from them. The conversations of those channels stay with the
business they belong to (they are its customers' messages).</li>
<li>Facebook shows you a confirmation code and a link to its status page,
<code>${publicAddress(f, metaDeletionStatusPath)}?code=…</code>, which says whether the deletion is complete and what
was removed. The request keeps only that code, its state, the counts and the times; your Facebook user id is removed
from it once the request has completed (a request that failed keeps it until it is completed by hand).</li>
</ol>
<p class="muted">Meta's request is matched through the Facebook user behind a channel's token. A channel connected with
a system user's token, which names no person, cannot be matched that way: ask the business, or ${write}.</p>

<h2 id="business">You run a business on Cosbot</h2>
<ol>
<li>An owner or admin can export and erase a single customer (API: <code>GET …/customers/&lt;id&gt;/export</code> and
<code>DELETE …/customers/&lt;id&gt;</code> with <code>{"confirm":"erase"}</code>).</li>
<li>To leave altogether, the owner deletes the business's account, typing its name to confirm. Its channels (with
their credentials), the agent and its settings, every customer, conversation, message and note, delivery statuses,
background jobs, members and invitations are deleted at once; then its cache keys and live-update log. Meta is asked
to stop sending the channels' webhooks where its Graph API allows it; if that fails, the deletion still happens and
says so.</li>
<li>The members' own user accounts are not part of the business: a user who belongs to no business any more can
delete their own account, with every session and their GitHub link.</li>
</ol>

<h2 id="when">When it is gone</h2>
<p>Deletion in the database happens at once, in one transaction. The cache keys are deleted right after; any the cache
could not be asked to delete expire on their own, markers of received message ids within 24 hours and the live-update
log within an hour. Copies in the database host's backups and the hosting's logs follow their own schedule.
Questions: ${contact(f)}.</p>
<p class="muted">This page describes the installation run by ${operator(f)}.</p>
`;
  return page({ title: "Deleting your data", siteName: siteName(f), links: pageLinks, current: dataDeletionPath, body });
}
