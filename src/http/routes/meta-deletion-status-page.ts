import type { DeletionRequest } from "../../core/lifecycle/ports.js";
// Everything printed into the page goes through the public pages' one escaper.
import { escapeHtml } from "../public-pages/html.js";

const utc = (at: Date) => `${at.toISOString().slice(0, 16).replace("T", " ")} UTC`;
const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)} · Cosbot</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.5;color:#1f2933}
h1{font-size:1.4rem}dt{font-weight:600}dd{margin:0 0 .75rem}code{background:#f1f5f9;padding:.1rem .3rem;border-radius:.2rem}</style>
</head>
<body>
${body}
</body>
</html>
`;
}

const stateWords: Record<DeletionRequest["state"], string> = {
  received: "Received: the deletion is in progress.",
  completed: "Completed: the data linked to your Facebook account has been deleted.",
  failed: "Failed: an error stopped the deletion. It has been logged and will be completed by hand.",
};

/** The public status page of one data-deletion request, in words a person can read. */
export function deletionStatusPage(request: DeletionRequest): string {
  const removed =
    request.state === "completed"
      ? `<p>What was removed: ${escapeHtml(plural(request.channelsDisabled, "connected channel was", "connected channels were"))} disconnected
(its access token deleted, no more messages sent or received through it), and your Facebook user id was removed from
${escapeHtml(plural(request.userIdsRemoved, "record", "records"))}.</p>`
      : "";
  const failure = request.state === "failed" && request.failureReason ? `<dt>Reason</dt><dd>${escapeHtml(request.failureReason)}</dd>` : "";
  return page(
    "Data deletion request",
    `<h1>Data deletion request</h1>
<dl>
<dt>Confirmation code</dt><dd><code>${escapeHtml(request.confirmationCode)}</code></dd>
<dt>Status</dt><dd>${escapeHtml(stateWords[request.state])}</dd>${failure}
<dt>Received</dt><dd>${escapeHtml(utc(request.receivedAt))}</dd>
${request.completedAt ? `<dt>${request.state === "failed" ? "Stopped" : "Completed"}</dt><dd>${escapeHtml(utc(request.completedAt))}</dd>` : ""}
</dl>
${removed}
<p>Cosbot stores only one thing about the Facebook user who connects a business's WhatsApp number, Page or Instagram
account: the app-scoped user id behind the access token, together with that token. Both are gone once the request is
completed. The conversations those channels carried stay with the business that owns them (they are its customers'
messages, not your personal data); the business can delete them, or its whole account, in Cosbot.</p>`,
  );
}

export function unknownCodePage(): string {
  return page(
    "Unknown confirmation code",
    `<h1>Unknown confirmation code</h1>
<p>There is no data deletion request with this confirmation code. Check that the whole link from Facebook was
opened; the code is the part after <code>?code=</code>.</p>`,
  );
}
