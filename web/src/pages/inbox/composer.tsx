import { Lock, Send } from "lucide-react";
import { type FormEvent, type KeyboardEvent, useState } from "react";
import { Button } from "../../components/ui/button";
import { Textarea } from "../../components/ui/input";
import { useToast } from "../../components/ui/toast";
import { api, errorMessage } from "../../lib/api";
import { platformName, span } from "../../lib/format";
import { keys, usePortfolioMutation } from "../../lib/queries";
import type { ConversationHead } from "../../lib/types";

/** Why a person can or cannot write now, from the API's window (humanUntil, aiUntil, afterwards). */
export function windowNote(head: ConversationHead, now = Date.now()): { canSend: boolean; note: string | null } {
  const w = head.conversation.window;
  const platform = platformName[head.channel.platform];
  if (!w.lastInboundAt) return { canSend: false, note: `The customer has not written yet. On ${platform} you can only answer once they have.` };
  if (!w.open || !w.humanUntil) {
    const afterwards = w.afterwards ? ` or send ${w.afterwards} from ${platform}'s own tools (not available here yet)` : "";
    return { canSend: false, note: `The customer last wrote more than ${span(now - new Date(w.lastInboundAt).getTime())} ago, outside the time ${platform} allows a reply. Wait for them to write again${afterwards}.` };
  }
  const aiClosed = w.aiUntil && new Date(w.aiUntil).getTime() < now;
  if (aiClosed) return { canSend: true, note: `Outside the 24-hour window: your reply goes with ${platform}'s human agent tag, allowed for ${span(new Date(w.humanUntil).getTime() - now)} more. The AI agent cannot answer now.` };
  return { canSend: true, note: null };
}

export function Composer({ pid, head }: { pid: string; head: ConversationHead }) {
  const cid = head.conversation.id;
  const toast = useToast();
  const [text, setText] = useState("");
  const send = usePortfolioMutation(
    pid,
    (base, body: { text: string }) => api(`${base}/conversations/${cid}/replies`, { method: "POST", body }),
    () => [keys.messages(pid, cid), keys.conversation(pid, cid), keys.conversations(pid)],
  );
  const { canSend, note } = windowNote(head);
  const submit = (e?: FormEvent) => {
    e?.preventDefault();
    const body = text.trim();
    if (!body || !canSend || send.isPending) return;
    send.mutate({ text: body }, { onSuccess: () => setText(""), onError: (err) => toast("error", errorMessage(err)) });
  };
  const onKey = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      submit();
    }
  };
  const manual = head.conversation.mode === "manual";
  return (
    <form onSubmit={submit} className="border-t border-slate-200 bg-white p-3" data-testid="composer">
      {note && (
        <p className="mb-2 flex items-start gap-2 rounded-md bg-amber-50 px-3 py-2 text-xs text-amber-900 ring-1 ring-amber-200" data-testid="window-note">
          <Lock className="mt-0.5 size-3.5 shrink-0" aria-hidden />{note}
        </p>
      )}
      <div className="flex items-end gap-2">
        <Textarea
          aria-label="Reply"
          data-testid="composer-input"
          rows={2}
          value={text}
          disabled={!canSend}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={onKey}
          placeholder={canSend ? (manual ? "Write a reply…  (Enter sends, Shift+Enter for a new line)" : "Write a reply: sending takes the conversation over from the AI") : "Replying is not possible right now"}
          className="max-h-40 min-h-10 resize-y"
        />
        <Button type="submit" disabled={!canSend || !text.trim() || send.isPending} aria-label="Send reply" data-testid="composer-send" className="h-10">
          <Send className="size-4" aria-hidden /><span className="hidden sm:inline">Send</span>
        </Button>
      </div>
      {send.error && <p role="alert" className="mt-2 text-xs text-red-600">{errorMessage(send.error)}</p>}
    </form>
  );
}
