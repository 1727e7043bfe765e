import { AlertCircle, Inbox, Search } from "lucide-react";
import { type KeyboardEvent, useEffect, useState } from "react";
import { NavLink } from "react-router";
import { PlatformIcon } from "../../components/platform-icon";
import { Badge } from "../../components/ui/badge";
import { Button } from "../../components/ui/button";
import { cn } from "../../components/ui/cn";
import { Input, Select } from "../../components/ui/input";
import { EmptyState, ErrorState, Loading, Spinner } from "../../components/ui/states";
import { errorMessage } from "../../lib/api";
import { platformName, shortTime } from "../../lib/format";
import { type ConversationFilter, useChannels, useConversations } from "../../lib/queries";
import type { ConversationListItem, Mode } from "../../lib/types";
import { attentionText } from "./attention";

/**
 * The list API gives the newest message's text, which a photo or a failed AI reply (stored
 * empty) lacks: say something true instead of "No messages yet".
 */
const previewWithoutText = (c: ConversationListItem) =>
  !c.lastMessageAt ? "No messages yet" : c.attentionCode === "reply_failed" ? "Agent could not answer" : "Message";

function Item({ c, base }: { c: ConversationListItem; base: string }) {
  const name = c.customer.profileName || c.customer.platformUserId;
  const unread = c.unreadCount > 0;
  return (
    <li>
      <NavLink
        to={`${base}/${c.id}`}
        data-testid="conversation-item"
        data-conversation-id={c.id}
        data-unread={c.unreadCount}
        className={({ isActive }) =>
          cn(
            "flex gap-3 border-b border-slate-100 px-4 py-3 focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-indigo-600",
            isActive ? "bg-indigo-50/70" : "hover:bg-slate-50",
          )
        }
      >
        <div className="relative mt-0.5 size-9 shrink-0 self-start">
          <span className="flex size-9 items-center justify-center rounded-full bg-slate-200 text-sm font-medium text-slate-600" aria-hidden>{name.slice(0, 1).toUpperCase()}</span>
          <PlatformIcon platform={c.platform} className="absolute -right-1 -bottom-1 size-4 ring-2 ring-white" />
        </div>
        <div className="min-w-0 flex-1">
          <div className="flex items-baseline gap-2">
            <span className={cn("min-w-0 flex-1 truncate text-sm", unread ? "font-semibold text-slate-900" : "font-medium text-slate-800")}>{name}</span>
            <time className="shrink-0 text-xs text-slate-400" dateTime={c.lastMessageAt ?? undefined}>{shortTime(c.lastMessageAt)}</time>
          </div>
          <p className={cn("mt-0.5 truncate text-sm", unread ? "text-slate-800" : "text-slate-500")}>{c.lastMessageText || <span className="italic text-slate-400">{previewWithoutText(c)}</span>}</p>
          <div className="mt-1.5 flex items-center gap-1.5">
            {c.mode === "ai" ? <Badge tone="indigo">AI</Badge> : <Badge>Manual</Badge>}
            {c.attentionCode && (
              <Badge tone="red" title={c.attentionReason ?? undefined} data-testid="attention">
                <AlertCircle className="size-3" aria-hidden />{attentionText(c.attentionCode)}
              </Badge>
            )}
            {unread && (
              <span className="ml-auto rounded-full bg-indigo-600 px-1.5 text-xs font-semibold leading-5 text-white" aria-label={`${c.unreadCount} unread`}>{c.unreadCount}</span>
            )}
          </div>
        </div>
      </NavLink>
    </li>
  );
}

/** Up and Down (and Home, End) move between conversations; Enter opens the focused one (it is a link). */
function moveFocus(e: KeyboardEvent<HTMLUListElement>) {
  const links = [...e.currentTarget.querySelectorAll<HTMLAnchorElement>("a[data-testid=conversation-item]")];
  const at = links.indexOf(document.activeElement as HTMLAnchorElement);
  const next = e.key === "ArrowDown" ? at + 1 : e.key === "ArrowUp" ? at - 1 : e.key === "Home" ? 0 : e.key === "End" ? links.length - 1 : null;
  if (next === null || links.length === 0) return;
  e.preventDefault();
  links[Math.max(0, Math.min(links.length - 1, next))]?.focus();
}

/** Threads with filters and search; `load more` follows the API's keyset cursor. */
export function ConversationList({ pid, base, filter, onFilter }: { pid: string; base: string; filter: ConversationFilter; onFilter(f: ConversationFilter): void }) {
  const list = useConversations(pid, filter);
  const channels = useChannels(pid);
  const [q, setQ] = useState(filter.q ?? "");
  // Search as one types, without a request per key.
  useEffect(() => {
    const t = setTimeout(() => { if ((filter.q ?? "") !== q.trim()) onFilter({ ...filter, q: q.trim() || undefined }); }, 300);
    return () => clearTimeout(t);
  }, [q, filter, onFilter]);
  const items = list.data?.pages.flatMap((p) => p.conversations) ?? [];
  const filtered = !!(filter.channelId || filter.mode || filter.unread || filter.q);
  return (
    <section aria-label="Conversations" className="flex h-full min-h-0 flex-col">
      <div className="space-y-2 border-b border-slate-200 p-3">
        <div className="relative">
          <Search className="pointer-events-none absolute top-2.5 left-2.5 size-4 text-slate-400" aria-hidden />
          <Input type="search" aria-label="Search conversations" placeholder="Search name, id or message" value={q} onChange={(e) => setQ(e.target.value)} className="pl-8" data-testid="conversation-search" />
        </div>
        <div className="flex gap-2">
          <Select aria-label="Channel" value={filter.channelId ?? ""} onChange={(e) => onFilter({ ...filter, channelId: e.target.value || undefined })} className="h-8 min-w-0 flex-1 pr-7 pl-2.5 text-xs">
            <option value="">All channels</option>
            {channels.data?.channels.map((ch) => (
              <option key={ch.id} value={ch.id}>{ch.displayName || `${platformName[ch.platform]} ${ch.externalId}`}</option>
            ))}
          </Select>
          <Select aria-label="Mode" value={filter.mode ?? ""} onChange={(e) => onFilter({ ...filter, mode: (e.target.value || undefined) as Mode | undefined })} className="h-8 w-27 shrink-0 pr-7 pl-2.5 text-xs">
            <option value="">All modes</option>
            <option value="ai">AI</option>
            <option value="manual">Manual</option>
          </Select>
          <Button variant={filter.unread ? "primary" : "secondary"} size="sm" aria-pressed={!!filter.unread} onClick={() => onFilter({ ...filter, unread: !filter.unread || undefined })}>Unread</Button>
        </div>
      </div>
      {/* A failed refresh keeps what was shown, and says so. */}
      {list.error && list.data && (
        <p role="status" className="flex items-center gap-2 border-b border-amber-200 bg-amber-50 px-3 py-1.5 text-xs text-amber-900">
          <AlertCircle className="size-3.5 shrink-0" aria-hidden /><span className="flex-1">Could not refresh: {errorMessage(list.error)}</span>
          <button type="button" className="font-medium underline focus-visible:outline-2 focus-visible:outline-indigo-600" onClick={() => void list.refetch()}>Retry</button>
        </p>
      )}
      <div className="min-h-0 flex-1 overflow-y-auto">
        {list.isPending ? (
          <Loading label="Loading conversations…" />
        ) : list.error && !list.data ? (
          <ErrorState error={list.error} onRetry={() => void list.refetch()} />
        ) : items.length === 0 ? (
          filtered ? (
            <EmptyState icon={<Search className="size-5" />} title="No conversation matches">
              <Button variant="ghost" size="sm" onClick={() => { setQ(""); onFilter({}); }}>Clear filters</Button>
            </EmptyState>
          ) : (
            <EmptyState icon={<Inbox className="size-5" />} title="No conversations yet">When a customer writes to one of your channels, the conversation shows up here at once.</EmptyState>
          )
        ) : (
          <ul data-testid="conversation-list" onKeyDown={moveFocus} aria-label="Conversations (arrow keys move, Enter opens)">
            {items.map((c) => <Item key={c.id} c={c} base={base} />)}
          </ul>
        )}
        {list.hasNextPage && (
          <div className="p-3 text-center">
            <Button variant="secondary" size="sm" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
              {list.isFetchingNextPage ? <><Spinner /> Loading…</> : "Load more"}
            </Button>
          </div>
        )}
      </div>
    </section>
  );
}
