import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { keys } from "./queries";

export type LiveState = "connecting" | "live" | "offline";

interface LiveEvent { conversationId?: string; channelId?: string; customerId?: string }

const parse = (e: MessageEvent): LiveEvent => {
  try {
    return JSON.parse(String(e.data)) as LiveEvent;
  } catch {
    return {};
  }
};

/**
 * Follows the portfolio's event stream and refreshes the caches an event touches. The browser's
 * EventSource reconnects by itself (sending Last-Event-ID); when the server refuses the stream
 * outright (an error status, or no stream at all) it gives up, so we retry slowly and poll
 * meanwhile: the inbox stays current either way.
 */
export function useLiveUpdates(pid: string, onPortfolioDeleted: () => void): LiveState {
  const qc = useQueryClient();
  const [state, setState] = useState<LiveState>("connecting");
  // A ref, so a new callback does not reconnect the stream.
  const deleted = useRef(onPortfolioDeleted);
  useEffect(() => { deleted.current = onPortfolioDeleted; });

  useEffect(() => {
    let source: EventSource | undefined;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let poll: ReturnType<typeof setInterval> | undefined;
    let attempts = 0;
    let stopped = false;

    const refresh = (...queryKeys: (readonly unknown[])[]) => queryKeys.forEach((queryKey) => void qc.invalidateQueries({ queryKey }));
    const stopPolling = () => { if (poll) clearInterval(poll); poll = undefined; };
    const startPolling = () => { poll ??= setInterval(() => refresh(keys.conversations(pid), ["p", pid, "conversation"], ["p", pid, "messages"]), 15_000); };

    const connect = () => {
      if (stopped) return;
      setState("connecting");
      source = new EventSource(`/api/portfolios/${encodeURIComponent(pid)}/events`, { withCredentials: true });
      source.onopen = () => {
        // A new EventSource starts without Last-Event-ID: after a gap, refetch rather than trust the stream.
        if (attempts > 0) refresh(keys.portfolio(pid));
        attempts = 0;
        setState("live");
        stopPolling();
      };
      source.onerror = () => {
        if (source?.readyState === EventSource.CLOSED) {
          setState("offline");
          startPolling();
          retry = setTimeout(connect, Math.min(60_000, 5_000 * 2 ** attempts++));
        } else setState("connecting");
      };
      source.addEventListener("message.created", (e) => {
        const { conversationId } = parse(e);
        refresh(keys.conversations(pid));
        if (conversationId) refresh(keys.messages(pid, conversationId), keys.conversation(pid, conversationId));
      });
      source.addEventListener("message.status", (e) => {
        const { conversationId } = parse(e);
        if (conversationId) refresh(keys.messages(pid, conversationId), keys.conversation(pid, conversationId));
        refresh(keys.conversations(pid));
      });
      // A reaction, an edit or a deletion on a message already shown.
      source.addEventListener("message.updated", (e) => {
        const { conversationId } = parse(e);
        if (conversationId) refresh(keys.messages(pid, conversationId));
        refresh(keys.conversations(pid));
      });
      source.addEventListener("conversation.changed", (e) => {
        const { conversationId } = parse(e);
        refresh(keys.conversations(pid));
        if (conversationId) refresh(keys.conversation(pid, conversationId));
      });
      // The platform told us a customer's name: it shows in the list, the thread header and the panel.
      source.addEventListener("customer.changed", (e) => {
        const { customerId } = parse(e);
        refresh(keys.conversations(pid), ["p", pid, "conversation"]);
        if (customerId) refresh(keys.customer(pid, customerId));
      });
      source.addEventListener("channel.state", () => refresh(keys.channels(pid)));
      source.addEventListener("resync", () => refresh(keys.portfolio(pid)));
      // Deleted elsewhere: nothing more will come, and reconnecting would only meet a 404.
      source.addEventListener("portfolio.deleted", () => {
        stopped = true;
        source?.close();
        stopPolling();
        deleted.current();
      });
    };
    connect();
    return () => {
      stopped = true;
      source?.close();
      if (retry) clearTimeout(retry);
      stopPolling();
    };
  }, [pid, qc]);

  return state;
}
