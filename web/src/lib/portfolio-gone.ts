import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useRef } from "react";
import { useNavigate } from "react-router";
import { useToast } from "../components/ui/toast";
import { ApiError } from "./api";
import { keys } from "./queries";
import type { Me } from "./types";

/** The tenant guard's answer for a portfolio that is gone or no longer ours (src/http/api/mount.ts). */
export const isPortfolioGone = (error: unknown): boolean =>
  error instanceof ApiError && error.status === 404 && error.message.startsWith("no portfolio");

// Portfolios this tab is deleting or leaving itself: its own flow explains and navigates.
const ownExits = new Set<string>();
export const expectPortfolioGone = (pid: string, expected = true) => void (expected ? ownExits.add(pid) : ownExits.delete(pid));

/**
 * Leaves a portfolio deleted elsewhere: its live stream said so, or one of its API calls answered
 * "no portfolio". Drops its caches and its entry in /api/me, then goes home (the next portfolio,
 * or naming one). Returns the handler for the live stream.
 */
export function usePortfolioGone(pid: string): () => void {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const toast = useToast();
  const handled = useRef(false);
  useEffect(() => { handled.current = false; }, [pid]);

  const gone = useCallback(() => {
    if (handled.current || ownExits.has(pid)) return;
    handled.current = true;
    if (localStorage.getItem("cosbot.portfolio") === pid) localStorage.removeItem("cosbot.portfolio");
    // Home decides from /api/me: drop the portfolio from it now so it cannot route back here.
    qc.setQueryData<Me>(keys.me, (me) => me && { ...me, portfolios: me.portfolios.filter((p) => p.id !== pid) });
    navigate("/", { replace: true });
    qc.removeQueries({ queryKey: keys.portfolio(pid) });
    void qc.invalidateQueries({ queryKey: keys.me });
    // The live event comes just before the deletion commits: ask again once it surely has.
    setTimeout(() => void qc.invalidateQueries({ queryKey: keys.me }), 3_000);
    toast("error", "This business was deleted");
  }, [pid, qc, navigate, toast]);

  useEffect(() => {
    const offQueries = qc.getQueryCache().subscribe((e) => {
      if (e.type === "updated" && e.action.type === "error" && e.query.queryKey[1] === pid && isPortfolioGone(e.action.error)) gone();
    });
    const offMutations = qc.getMutationCache().subscribe((e) => {
      if (e.type === "updated" && e.action.type === "error" && isPortfolioGone(e.action.error)) gone();
    });
    return () => { offQueries(); offMutations(); };
  }, [pid, qc, gone]);

  return gone;
}
