// How to have data deleted, written for what the code does (see privacy.ts for the same rule).
import type { PublicPageFacts } from "./facts.js";
import { html, page } from "./html.js";
import { contact, dataDeletionPath, mailLink, metaDeletionCallbackPath, metaDeletionStatusPath, operator, pageLinks, privacyPath, siteName } from "./site.js";

export function dataDeletionPage(f: PublicPageFacts): string {
  const body = html`
<h1>Deleting your data</h1>
<p>Cosbot keeps a business's conversation history while the business's account is active. Here is how to have what
it stores about you deleted, depending on who you are. What is stored, and who else handles it, is in the
<a href="${privacyPath}">privacy policy</a>.</p>

<h2 id="customer">You wrote to a business on WhatsApp, Messenger or Instagram</h2>
<ol>
<li>Ask the business you wrote to, on the same chat or any other way, to delete your data. Say if you want a copy
first.</li>
<li>Its owner or an admin can download everything Cosbot stores about you as one file (profile, notes, every message
with its statuses), and can then erase you. Erasing removes you, all your conversations and messages, the notes
about you, pending deliveries and the cache markers of your messages, at once and for good.</li>
<li>If the business does not answer, ${f.contactEmail ? html`write to ${mailLink(f.contactEmail)}` : html`contact ${operator(f)} (no privacy contact address has been published here yet)`}.
Say which business you wrote to, on which platform, and your phone number (WhatsApp) or the name you use there
(Messenger, Instagram).</li>
</ol>
<p class="muted">Your messages also stay in your own app and at Meta: delete them there too if you want them gone
everywhere. If you write to the business again later, Cosbot starts a new conversation.</p>

<h2 id="facebook">You connected a Facebook Page, Instagram account or WhatsApp number</h2>
<ol>
<li>In Facebook, open Settings › Apps and websites, find the app the business uses with Cosbot and remove it, asking
for your data to be deleted.</li>
<li>Meta sends the request to this installation's data-deletion callback (<code>${metaDeletionCallbackPath}</code>).
The channels you connected are disconnected, their access tokens deleted, and your Facebook user id is forgotten.
The conversations of those channels stay with the business they belong to.</li>
<li>Facebook shows you a confirmation code and a link to its status page,
<code>${metaDeletionStatusPath}?code=…</code>, which says whether the deletion is complete.</li>
</ol>

<h2 id="business">You run a business on Cosbot</h2>
<ol>
<li>An owner or admin can export and erase a single customer (API: <code>GET …/customers/&lt;id&gt;/export</code> and
<code>DELETE …/customers/&lt;id&gt;</code> with <code>{"confirm":"erase"}</code>).</li>
<li>To leave altogether, the owner deletes the business's account, typing its name to confirm. Its channels (with
their credentials), the agent, every customer, conversation, message and note, the background jobs, members,
invitations and its cache keys are deleted. Meta is asked to stop sending the channels' webhooks where its Graph API
allows it; if that fails, the deletion still happens and says so.</li>
<li>A user who belongs to no business any more can then delete their own user account and sessions.</li>
</ol>

<h2 id="when">When it is gone</h2>
<p>Deletion in the database happens at once, in one step. Markers of received message ids expire from the cache
within 24 hours, the live-update log within an hour. Copies in the database host's backups and the hosting's logs
follow their own schedule. Questions: ${contact(f)}.</p>
<p class="muted">This page describes the installation run by ${operator(f)}.</p>
`;
  return page({ title: "Deleting your data", siteName: siteName(f), links: pageLinks, current: dataDeletionPath, body });
}
