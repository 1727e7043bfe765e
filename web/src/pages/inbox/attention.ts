/** What each attention code means for the person reading the inbox. */
export const attentionLabel: Record<string, string> = {
  window_closed: "Window closed",
  send_failed: "Send failed",
  reply_failed: "Agent failed",
  reply_held: "Handed off",
  needs_reauth: "Reconnect channel",
};
export const attentionText = (code: string) => attentionLabel[code] ?? "Needs attention";
