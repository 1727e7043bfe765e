// The privacy policy, written for what the code does. When the code changes what it stores, sends
// or keeps, change this text in the same change (test/public-pages.test.ts checks its key facts).
import type { PublicPageFacts } from "./facts.js";
import { html, page } from "./html.js";
import {
  cacheHost, contact, databaseHost, mailLink, dataDeletionPath, metaDeletionCallbackPath, metaDeletionStatusPath, modelProvider, operator, pageLinks, privacyPath, publicAddress, siteName,
} from "./site.js";

export function privacyPage(f: PublicPageFacts): string {
  const who = operator(f);
  const body = html`
<h1>Privacy policy</h1>
<p>This installation of Cosbot is run by ${who}. Cosbot lets a business answer the people who write to it on
WhatsApp, Facebook Messenger and Instagram with an AI assistant, and lets the business's staff read and answer
those conversations in a web inbox. This page says what it stores, who else handles it, how long it is kept and
how to have it exported or deleted. The business you write to decides what it uses Cosbot for; ${who} stores
and processes the data on that business's behalf.</p>

<h2 id="businesses">What is stored about businesses and their staff</h2>
<ul>
<li><strong>Sign-in with GitHub:</strong> your GitHub user id, name, e-mail address, GitHub login and the address of
your avatar picture. Cosbot asks GitHub only for <code>read:user</code> and <code>user:email</code>; the GitHub
access token it receives is stored encrypted.</li>
<li><strong>Sessions:</strong> a session cookie (HttpOnly, SameSite=Lax) and a session record with the IP address and
browser (user agent) it was created from. A session ends when you sign out and expires after 7 days without use.</li>
<li><strong>The business:</strong> its name, its members and their roles (owner, admin, agent), and pending
invitations (the invited e-mail address or GitHub login).</li>
<li><strong>Connected channels:</strong> the WhatsApp phone number id and business account id, the Facebook Page id
or Instagram account id, their display names, and their access tokens, app secrets and verify tokens. The tokens
and secrets are encrypted with AES-256-GCM before they are stored and are never shown again (only their last four
characters). When a channel is connected with a Facebook account, the app-scoped id of that Facebook user is kept
with it.</li>
<li><strong>The AI agent's settings:</strong> its name, its instructions, the model to use, whether it is on, and the
business's own OpenAI API key if it gives one, encrypted (AES-256-GCM) like the channel credentials.</li>
</ul>

<h2 id="customers">What is stored about the people who write to a business</h2>
<ul>
<li><strong>Who you are on the platform:</strong> the id the platform gives you (on WhatsApp your phone number; on
Messenger and Instagram an id that is specific to the business's Page or account), your profile name when the platform provides it
(for Messenger and Instagram it is looked up once from Meta), and when you first and last wrote.</li>
<li><strong>Every message in both directions:</strong> its text or caption, its kind (text, image, voice, location,
reaction…), the time, Meta's id for it, what it replies to, your reaction to it, and usually the message as Meta
delivered it. A message you unsend on the platform is marked deleted and left out of what the AI reads; its stored
text stays with the conversation until the conversation is erased.</li>
<li><strong>Attachments:</strong> only their metadata, never the files. For WhatsApp that is Meta's media id, the file
type, the file name and the caption; for Messenger and Instagram the link Meta gives to the file on its servers.
Cosbot does not download or keep pictures, voice notes, videos or documents. Shared locations and contact cards are
stored as sent.</li>
<li><strong>Delivery:</strong> whether each reply was queued, sent, delivered, read or failed, the time of each step,
and Meta's error code and reason when it failed.</li>
<li><strong>Notes</strong> the business's staff write about you, with who wrote them and when, and the state of the
conversation (answered by the AI or by a person, unread messages, why staff should look at it).</li>
</ul>
<p>Cosbot uses this only to answer you and to show the conversation to the business's staff. It has no advertising,
no analytics and no tracking cookies. Server logs carry request, business and conversation ids; message text and
phone numbers are left out of them.</p>

<h2 id="processors">Who else handles the data</h2>
<ul>
<li><strong>Meta</strong> (Meta Platforms, Inc. and Meta Platforms Ireland Ltd): WhatsApp, Messenger and Instagram
carry every message and status to and from Cosbot; replies are sent through Meta's Graph API. Meta's own privacy
policy covers what it does with them.</li>
<li>${modelProvider(f)}: when the AI agent answers, Cosbot sends it the agent's instructions and the conversation
history (the text of your messages and of the business's replies, with words such as "[image]" for attachments,
trimmed to fit the model). It does not send your phone number, platform id, profile name or the staff's notes.
A business that gives its own OpenAI key is served under that key.</li>
<li><strong>The database host</strong>: everything listed above is stored in ${databaseHost(f)}.</li>
<li><strong>The cache host</strong>: ${cacheHost(f)} holds short-lived keys only: markers that a message id was
already received (to never store or answer a message twice; they expire within 24 hours), the fan-out of live
updates to open inboxes with a catch-up log of the last hour, and request counters by IP address for rate limits
(one minute).</li>
<li><strong>The hosting</strong>: the server runs on infrastructure chosen by ${who}, such as <strong>Vercel</strong>
(Vercel Inc.) or its own servers; the host sees requests as they pass and keeps its own logs.</li>
<li><strong>GitHub</strong> (GitHub, Inc.) signs staff in; it is not sent anything about the business's customers.</li>
</ul>

<h2 id="retention">How long it is kept</h2>
<ul>
<li>Conversations, messages, customers and notes are kept while the business's account is active. They are deleted
for good when the business erases that customer or deletes its account.</li>
<li>Disconnecting a channel deletes its credentials at once; its conversation history stays with the business.</li>
<li>Markers of received message ids expire within 24 hours; the live-update log within an hour; rate-limit
counters within a minute.</li>
<li>Delivery statuses that arrive before their message are dropped after 7 days if it never appears, and completed
background jobs after 7 days; a job that gave up is kept, with its error, until its conversation or the business is
deleted.</li>
<li>Meta's data-deletion requests keep their confirmation code, state, what was removed and when, so that the status
page can answer; the Facebook user id in a request is removed once it has completed.</li>
<li>Sessions expire after 7 days. Copies in the database host's backups, and the hosting's logs, go on their own
schedule.</li>
</ul>

<h2 id="rights">Your rights: a copy of your data, and its deletion</h2>
<ul>
<li><strong>If you wrote to a business:</strong> ask that business. Its owner or an admin can download everything
stored about you as one file (JSON: profile, notes, every message with its statuses) and can erase you, with all
your conversations, messages and notes.${f.contactEmail ? html` You can also write to ${mailLink(f.contactEmail)}.` : ""}</li>
<li><strong>If you connected a Page, Instagram account or WhatsApp number with Facebook:</strong> removing the app in
your Facebook settings, asking for your data to be deleted, sends Meta's data-deletion request to
<code>${publicAddress(f, metaDeletionCallbackPath)}</code>. The channels you connected are disconnected, their tokens
deleted and your Facebook user id forgotten; you get a confirmation code whose status you can check at
<code>${publicAddress(f, metaDeletionStatusPath)}?code=…</code>.</li>
<li><strong>If you run a business on Cosbot:</strong> the owner can delete the business's account, which removes its
channels and credentials, agent, customers, conversations, messages, notes, background jobs, members, invitations,
cache keys and live-update log; a user who belongs to no business any more can delete their own user account,
sessions and GitHub link.</li>
</ul>
<p>Step by step: <a href="${dataDeletionPath}">deleting your data</a>. Questions about this policy: ${contact(f)}.</p>
`;
  return page({ title: "Privacy policy", siteName: siteName(f), links: pageLinks, current: privacyPath, body });
}
