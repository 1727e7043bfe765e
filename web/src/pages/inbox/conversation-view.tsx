import { useQueryClient } from "@tanstack/react-query";
import { AlertCircle, ArrowLeft, MessageSquare, PanelRight, Timer } from "lucide-react";
import { Fragment, useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import { Link } from "react-router";
import { PlatformIcon } from "../../components/platform-icon";
import { Badge } from "../../components/ui/badge";
import { Button } from "../../components/ui/button";
import { cn } from "../../components/ui/cn";
import { EmptyState, ErrorState, Loading, Spinner } from "../../components/ui/states";
import { Switch } from "../../components/ui/switch";
import { useToast } from "../../components/ui/toast";
import { api, ApiError, errorMessage } from "../../lib/api";
import { isPortfolioGone } from "../../lib/portfolio-gone";
import { dayHeading, fullTime, platformName, span } from "../../lib/format";
import { keys, useAgent, useConversation, useMembers, useMessages, usePortfolioMutation } from "../../lib/queries";
import type { ConversationHead, Mode } from "../../lib/types";
import { attentionText } from "./attention";
import { Composer } from "./composer";
import { MessageBubble } from "./message-bubble";

function WindowPill({ head }: { head: ConversationHead }) {
  const w = head.conversation.window;
  const now = Date.now();
  if (!w.lastInboundAt) return <Badge title="The customer has not written yet">No window yet</Badge>;
  const aiLeft = w.aiUntil ? new Date(w.aiUntil).getTime() - now : -1;
  const humanLeft = w.humanUntil ? new Date(w.humanUntil).getTime() - now : -1;
  if (aiLeft > 0)
    return <Badge tone="green" title={`24-hour window: customer last wrote ${fullTime(w.lastInboundAt)}; closes ${fullTime(w.aiUntil)}`} data-testid="window-pill"><Timer className="size-3" aria-hidden />{span(aiLeft)} left</Badge>;
  if (humanLeft > 0)
    return <Badge tone="amber" title={`24-hour window closed; a person may reply until ${fullTime(w.humanUntil)}`} data-testid="window-pill"><Timer className="size-3" aria-hidden />24 h passed · human reply {span(humanLeft)}</Badge>;
  return <Badge tone="red" title={`Customer last wrote ${fullTime(w.lastInboundAt)}`} data-testid="window-pill"><Timer className="size-3" aria-hidden />Window closed</Badge>;
}

function ModeSwitch({ pid, head }: { pid: string; head: ConversationHead }) {
  const cid = head.conversation.id;
  const toast = useToast();
  const setMode = usePortfolioMutation(
    pid,
    (base, mode: Mode) => api(`${base}/conversations/${cid}/mode`, { method: "PUT", body: { mode } }),
    () => [keys.conversation(pid, cid), keys.conversations(pid)],
  );
  const mode = setMode.isPending ? setMode.variables : head.conversation.mode;
  return (
    <div className="flex items-center gap-2" data-testid="mode-switch" data-mode={mode}>
      <span className="text-xs font-medium text-slate-600" aria-hidden>{mode === "ai" ? "AI agent on" : "AI agent off · manual"}</span>
      <Switch
        checked={mode === "ai"}
        label="AI agent answers this conversation"
        disabled={setMode.isPending}
        data-testid="mode-toggle"
        onChange={(ai) =>
          setMode.mutate(ai ? "ai" : "manual", {
            onSuccess: () => toast("ok", ai ? "The AI agent answers again." : "You took over: the AI agent stays silent."),
            onError: (e) => toast("error", errorMessage(e)),
          })
        }
      />
    </div>
  );
}

export function ConversationView({ pid, cid, base, showPanelLink, panelOpen = false }: { pid: string; cid: string; base: string; showPanelLink: boolean; panelOpen?: boolean }) {
  const head = useConversation(pid, cid);
  const messages = useMessages(pid, cid);
  const members = useMembers(pid);
  const agent = useAgent(pid);
  const qc = useQueryClient();
  const [, setTick] = useState(0);
  // The window's countdown and what the composer allows change with the clock alone.
  useEffect(() => {
    const t = setInterval(() => setTick((n) => n + 1), 60_000);
    return () => clearInterval(t);
  }, []);
  const scroller = useRef<HTMLDivElement>(null);
  const nearBottom = useRef(true);

  const memberName = useMemo(() => {
    const byId = new Map(members.data?.members.map((m) => [m.id, m.name || m.email]));
    return (id: string | null) => (id ? byId.get(id) : undefined);
  }, [members.data]);

  // Opening a thread (and each new message while it is open) marks it read.
  const unread = head.data?.conversation.unreadCount ?? 0;
  useEffect(() => {
    if (unread === 0) return;
    void api(`/api/portfolios/${pid}/conversations/${cid}/read`, { method: "POST" })
      .then(() => Promise.all([qc.invalidateQueries({ queryKey: keys.conversations(pid) }), qc.invalidateQueries({ queryKey: keys.conversation(pid, cid) })]))
      .catch(() => {});
  }, [pid, cid, unread, qc]);

  const ordered = useMemo(() => (messages.data?.pages.flatMap((p) => p.messages) ?? []).slice().reverse(), [messages.data]);
  const newestId = ordered.at(-1)?.id;

  // Stay pinned to the newest message unless the reader scrolled up to read older ones.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && nearBottom.current) el.scrollTop = el.scrollHeight;
  }, [newestId, cid]);
  useEffect(() => { nearBottom.current = true; }, [cid]);

  // The whole business is gone: usePortfolioGone is already taking the reader home.
  if (head.isPending || isPortfolioGone(head.error)) return <Loading label="Loading conversation…" className="h-full" />;
  // A failed refresh keeps the thread on screen; a conversation that is gone (erased) does not.
  if (head.error instanceof ApiError && head.error.status === 404) {
    return (
      <EmptyState icon={<MessageSquare className="size-5" />} title="This conversation is gone" className="h-full justify-center">
        Its customer may have been erased. <Link to={base} className="font-medium text-indigo-700 underline">Back to the conversations</Link>
      </EmptyState>
    );
  }
  if (head.error && !head.data) return <ErrorState error={head.error} onRetry={() => void head.refetch()} className="h-full justify-center" />;
  const h = head.data;
  const name = h.customer.profileName || h.customer.platformUserId;
  const attention = h.conversation.attention;

  return (
    <section aria-label={`Conversation with ${name}`} className="flex h-full min-h-0 flex-col bg-slate-50" data-testid="conversation-view" data-conversation-id={cid}>
      <header className="flex flex-wrap items-center gap-x-3 gap-y-1.5 border-b border-slate-200 bg-white px-3 py-2 sm:px-4">
        <div className="order-1 flex min-w-0 flex-1 basis-56 sm:order-none items-center gap-2">
          <Link to={base} className="-ml-1 rounded-md p-1.5 text-slate-500 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-indigo-600 md:hidden" aria-label="Back to conversations"><ArrowLeft className="size-4" /></Link>
          <PlatformIcon platform={h.channel.platform} />
          <div className="min-w-0 flex-1">
            <h1 className="truncate text-sm font-semibold text-slate-900">{name}</h1>
            <p className="truncate text-xs text-slate-500">{platformName[h.channel.platform]} · {h.channel.displayName || h.channel.externalId}</p>
          </div>
        </div>
        <div className="order-3 flex items-center gap-3 sm:order-none">
          <WindowPill head={h} />
          <ModeSwitch pid={pid} head={h} />
        </div>
        {showPanelLink && (
          <Link
            to={panelOpen ? `${base}/${cid}` : `${base}/${cid}/customer`}
            aria-pressed={panelOpen}
            className={cn("order-2 rounded-md p-1.5 sm:order-none hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-indigo-600 2xl:hidden", panelOpen ? "bg-slate-100 text-slate-900" : "text-slate-500")}
            aria-label={panelOpen ? "Hide customer details" : "Customer details"}
            title={panelOpen ? "Hide customer details" : "Customer details"}
            data-testid="customer-toggle"
          ><PanelRight className="size-4" /></Link>
        )}
      </header>
      {attention && (
        <div role="status" className="flex items-start gap-2 border-b border-red-100 bg-red-50 px-4 py-2 text-xs text-red-800" data-testid="attention-banner">
          <AlertCircle className="mt-0.5 size-3.5 shrink-0" aria-hidden />
          <span><span className="font-semibold">{attentionText(attention.code)}.</span> {attention.reason}{attention.at ? ` (${fullTime(attention.at)})` : ""}</span>
        </div>
      )}
      <div
        ref={scroller}
        // Focusable so the keyboard can scroll back through the thread.
        tabIndex={0}
        aria-label="Message history"
        className="min-h-0 flex-1 overflow-y-auto px-3 py-4 focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-indigo-600 sm:px-6"
        onScroll={(e) => { const el = e.currentTarget; nearBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80; }}
      >
        {messages.hasNextPage && (
          <div className="mb-4 text-center">
            <Button variant="secondary" size="sm" onClick={() => { nearBottom.current = false; void messages.fetchNextPage(); }} disabled={messages.isFetchingNextPage}>
              {messages.isFetchingNextPage ? <><Spinner />Loading…</> : "Load older messages"}
            </Button>
          </div>
        )}
        {messages.isPending ? (
          <Loading label="Loading messages…" />
        ) : messages.error && !messages.data ? (
          <ErrorState error={messages.error} onRetry={() => void messages.refetch()} />
        ) : ordered.length === 0 ? (
          <EmptyState icon={<MessageSquare className="size-5" />} title="No messages yet" />
        ) : (
          <ol className="mx-auto flex max-w-3xl flex-col gap-2" aria-label="Messages" data-testid="message-list">
            {ordered.map((m, i) => {
              const day = dayHeading(m.occurredAt);
              const showDay = i === 0 || dayHeading(ordered[i - 1]!.occurredAt) !== day;
              return (
                <Fragment key={m.id}>
                  {showDay && <li className="my-2 text-center text-xs font-medium text-slate-400" aria-hidden>{day}</li>}
                  <MessageBubble m={m} memberName={memberName} agentName={agent.data?.agent.name ?? ""} />
                </Fragment>
              );
            })}
          </ol>
        )}
      </div>
      <Composer key={cid} pid={pid} head={h} />
    </section>
  );
}
