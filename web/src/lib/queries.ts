import { type DefaultError, type UseMutationOptions, type UseMutationResult, useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useRef } from "react";
import { api } from "./api";
import type { Agent, Channel, ConversationHead, ConversationPage, Customer, Invitation, Me, Member, MessagePage, Mode, Note } from "./types";

/** Query keys: everything of one portfolio starts with ["p", portfolioId] so a resync drops it all. */
export const keys = {
  me: ["me"] as const,
  portfolio: (pid: string) => ["p", pid] as const,
  conversations: (pid: string) => ["p", pid, "conversations"] as const,
  conversation: (pid: string, cid: string) => ["p", pid, "conversation", cid] as const,
  messages: (pid: string, cid: string) => ["p", pid, "messages", cid] as const,
  channels: (pid: string) => ["p", pid, "channels"] as const,
  agent: (pid: string) => ["p", pid, "agent"] as const,
  members: (pid: string) => ["p", pid, "members"] as const,
  customer: (pid: string, id: string) => ["p", pid, "customer", id] as const,
  notes: (pid: string, id: string) => ["p", pid, "notes", id] as const,
};

const base = (pid: string) => `/api/portfolios/${encodeURIComponent(pid)}`;

export const useMe = () => useQuery({ queryKey: keys.me, queryFn: () => api<Me>("/api/me"), retry: false, staleTime: 30_000 });

export interface ConversationFilter { channelId?: string; mode?: Mode; unread?: boolean; q?: string }

export function useConversations(pid: string, filter: ConversationFilter) {
  return useInfiniteQuery({
    queryKey: [...keys.conversations(pid), filter],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) => {
      const qs = new URLSearchParams({ limit: "30" });
      if (filter.channelId) qs.set("channelId", filter.channelId);
      if (filter.mode) qs.set("mode", filter.mode);
      if (filter.unread) qs.set("unread", "true");
      if (filter.q) qs.set("q", filter.q);
      if (pageParam) qs.set("cursor", pageParam);
      return api<ConversationPage>(`${base(pid)}/conversations?${qs}`, { signal });
    },
    getNextPageParam: (last) => last.nextCursor,
  });
}

export const useConversation = (pid: string, cid: string) =>
  useQuery({ queryKey: keys.conversation(pid, cid), queryFn: ({ signal }) => api<ConversationHead>(`${base(pid)}/conversations/${cid}`, { signal }) });

export function useMessages(pid: string, cid: string) {
  return useInfiniteQuery({
    queryKey: keys.messages(pid, cid),
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) => {
      const qs = new URLSearchParams({ limit: "50" });
      if (pageParam) qs.set("before", pageParam);
      return api<MessagePage>(`${base(pid)}/conversations/${cid}/messages?${qs}`, { signal });
    },
    getNextPageParam: (last) => last.nextCursor,
  });
}

export const useChannels = (pid: string) => useQuery({ queryKey: keys.channels(pid), queryFn: ({ signal }) => api<{ channels: Channel[] }>(`${base(pid)}/channels`, { signal }) });
export const useAgent = (pid: string) => useQuery({ queryKey: keys.agent(pid), queryFn: ({ signal }) => api<{ agent: Agent; models: string[] }>(`${base(pid)}/agent`, { signal }) });
export const useMembers = (pid: string) =>
  useQuery({ queryKey: keys.members(pid), queryFn: ({ signal }) => api<{ members: Member[]; invitations: Invitation[] }>(`${base(pid)}/members`, { signal }), staleTime: 60_000 });
export const useCustomer = (pid: string, id: string) =>
  useQuery({ enabled: !!id, queryKey: keys.customer(pid, id), queryFn: ({ signal }) => api<{ customer: Customer & { conversationId: string | null } }>(`${base(pid)}/customers/${id}`, { signal }) });
export const useNotes = (pid: string, id: string) => useQuery({ enabled: !!id, queryKey: keys.notes(pid, id), queryFn: ({ signal }) => api<{ notes: Note[] }>(`${base(pid)}/customers/${id}/notes`, { signal }) });

/**
 * useMutation that ignores mutate() while a call is in flight. isPending reaches React only after
 * the query client's batched notify (a macrotask), so a fast double click on a submit button
 * would otherwise send twice; every submitting form uses this and disables its button on isPending.
 */
export function useSubmitMutation<R = unknown, E = DefaultError, V = void, C = unknown>(options: UseMutationOptions<R, E, V, C>): UseMutationResult<R, E, V, C> {
  const inFlight = useRef(false);
  const m = useMutation<R, E, V, C>({
    ...options,
    // Cleared once the caller's own onSettled (e.g. a refetch) is done: isPending lasts as long.
    onSettled: async (...args) => {
      try {
        return await options.onSettled?.(...args);
      } finally {
        inFlight.current = false;
      }
    },
  });
  const { mutate: run } = m;
  const mutate = useCallback<typeof run>((...args) => {
    if (inFlight.current) return;
    inFlight.current = true;
    run(...args);
  }, [run]);
  return { ...m, mutate, isPending: m.isPending || inFlight.current } as UseMutationResult<R, E, V, C>;
}

/** A mutation against this portfolio's API that refreshes the given caches when it settles. */
export function usePortfolioMutation<V, R = unknown>(pid: string, call: (base: string, vars: V) => Promise<R>, invalidate: (vars: V) => readonly (readonly unknown[])[]) {
  const qc = useQueryClient();
  return useSubmitMutation({
    mutationFn: (vars: V) => call(base(pid), vars),
    onSettled: (_r, _e, vars) => Promise.all(invalidate(vars).map((queryKey) => qc.invalidateQueries({ queryKey }))),
  });
}
