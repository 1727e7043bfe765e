import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Bot, ChevronsUpDown, Inbox, LogOut, Plus, Rocket, Settings } from "lucide-react";
import { type ReactNode, useState } from "react";
import { Link, NavLink, useLocation, useNavigate } from "react-router";
import { Logo } from "../components/logo";
import { cn } from "../components/ui/cn";
import { api } from "../lib/api";
import { type LiveState, useLiveUpdates } from "../lib/live";
import { usePortfolioGone } from "../lib/portfolio-gone";
import type { Me, PortfolioRef } from "../lib/types";

const nav = [
  { to: "inbox", label: "Inbox", icon: Inbox },
  { to: "playground", label: "Playground", icon: Bot },
  { to: "settings", label: "Settings", icon: Settings },
  { to: "start", label: "Get started", icon: Rocket },
] as const;

const liveText: Record<LiveState, string> = { live: "Live", connecting: "Connecting…", offline: "Offline: refreshing every 15 s" };

function LiveDot({ state }: { state: LiveState }) {
  return (
    <span className="inline-flex items-center gap-1.5 text-xs text-slate-500" data-testid="live-state" data-state={state}>
      <span className={cn("size-2 rounded-full", state === "live" ? "bg-emerald-500" : state === "connecting" ? "bg-amber-400" : "bg-slate-400")} aria-hidden />
      {liveText[state]}
    </span>
  );
}

function PortfolioSwitcher({ me, portfolio }: { me: Me; portfolio: PortfolioRef }) {
  const [open, setOpen] = useState(false);
  const navigate = useNavigate();
  return (
    <div
      className="relative"
      onKeyDown={(e) => { if (e.key === "Escape") setOpen(false); }}
      onBlur={(e) => { if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setOpen(false); }}
    >
      <button type="button" aria-expanded={open} aria-haspopup="menu" onClick={() => setOpen(!open)} className="flex w-full items-center gap-2 rounded-md px-2 py-1.5 text-left text-sm hover:bg-slate-200/60 focus-visible:outline-2 focus-visible:outline-indigo-600">
        <span className="flex size-6 shrink-0 items-center justify-center rounded bg-slate-800 text-xs font-semibold text-white">{portfolio.name.slice(0, 1).toUpperCase()}</span>
        <span className="min-w-0 flex-1 truncate font-medium">{portfolio.name}</span>
        <ChevronsUpDown className="size-4 text-slate-400" aria-hidden />
      </button>
      {open && (
        <div role="menu" className="absolute inset-x-0 top-full z-20 mt-1 rounded-md bg-white py-1 shadow-lg ring-1 ring-slate-200">
          {me.portfolios.map((p) => (
            <button key={p.id} role="menuitem" type="button" onClick={() => { setOpen(false); navigate(`/p/${p.id}/inbox`); }} className={cn("block w-full truncate px-3 py-1.5 text-left text-sm hover:bg-slate-50 focus-visible:bg-slate-100 focus-visible:outline-none", p.id === portfolio.id && "font-medium text-indigo-700")}>
              {p.name} <span className="text-xs text-slate-400">· {p.role}</span>
            </button>
          ))}
          <div className="my-1 border-t border-slate-100" />
          <Link role="menuitem" to="/welcome" className="flex items-center gap-2 px-3 py-1.5 text-sm text-slate-600 hover:bg-slate-50 focus-visible:bg-slate-100 focus-visible:outline-none"><Plus className="size-4" aria-hidden />Add a business</Link>
        </div>
      )}
    </div>
  );
}

/** Sidebar on a desktop, a bottom tab bar on a phone; owns the portfolio's live event stream. */
export function AppShell({ me, portfolio, children }: { me: Me; portfolio: PortfolioRef; children: ReactNode }) {
  const gone = usePortfolioGone(portfolio.id);
  const live = useLiveUpdates(portfolio.id, gone);
  const qc = useQueryClient();
  const location = useLocation();
  const signOut = useMutation({
    mutationFn: () => api("/api/auth/sign-out", { method: "POST", body: {} }),
    onSettled: () => { qc.clear(); window.location.assign("/sign-in"); },
  });
  const base = `/p/${portfolio.id}`;
  // In an open conversation a phone needs the whole height for the thread and the composer.
  const inThread = /\/inbox\/[^/]+/.test(location.pathname);
  return (
    <div className="flex h-dvh flex-col md:flex-row">
      <a href="#main" className="sr-only z-50 rounded-md bg-white px-3 py-2 text-sm font-medium text-indigo-700 shadow ring-1 ring-slate-200 focus:not-sr-only focus:fixed focus:top-2 focus:left-2">Skip to content</a>
      <aside className="hidden w-60 shrink-0 flex-col border-r border-slate-200 bg-slate-100/70 md:flex">
        <div className="px-4 pt-4 pb-3"><Logo /></div>
        <div className="px-2"><PortfolioSwitcher me={me} portfolio={portfolio} /></div>
        <nav aria-label="Main" className="mt-4 flex flex-col gap-0.5 px-2">
          {nav.map(({ to, label, icon: Icon }) => (
            <NavLink key={to} to={`${base}/${to}`} className={({ isActive }) => cn("flex items-center gap-2.5 rounded-md px-2.5 py-1.5 text-sm font-medium focus-visible:outline-2 focus-visible:outline-indigo-600", isActive ? "bg-white text-slate-900 shadow-sm ring-1 ring-slate-200" : "text-slate-600 hover:bg-slate-200/60 hover:text-slate-900")}>
              <Icon className="size-4" aria-hidden />{label}
            </NavLink>
          ))}
        </nav>
        <div className="mt-auto space-y-3 border-t border-slate-200 p-4">
          <LiveDot state={live} />
          <div className="flex items-center gap-2">
            <div className="min-w-0 flex-1">
              <p className="truncate text-sm font-medium text-slate-900">{me.user.name || me.user.email}</p>
              <p className="truncate text-xs text-slate-500">{portfolio.role}</p>
            </div>
            <button type="button" onClick={() => signOut.mutate()} aria-label="Sign out" title="Sign out" className="rounded-md p-1.5 text-slate-500 hover:bg-slate-200 hover:text-slate-900 focus-visible:outline-2 focus-visible:outline-indigo-600"><LogOut className="size-4" /></button>
          </div>
        </div>
      </aside>
      <header className={cn("flex items-center gap-2 border-b border-slate-200 bg-white px-3 py-2 md:hidden", inThread && "hidden")}>
        <div className="min-w-0 flex-1"><PortfolioSwitcher me={me} portfolio={portfolio} /></div>
        <LiveDot state={live} />
        <button type="button" onClick={() => signOut.mutate()} aria-label="Sign out" className="rounded-md p-1.5 text-slate-500 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-indigo-600"><LogOut className="size-4" /></button>
      </header>
      <main id="main" tabIndex={-1} className="flex min-h-0 min-w-0 flex-1 flex-col overflow-y-auto focus:outline-none">{children}</main>
      <nav aria-label="Main" className={cn("grid grid-cols-4 border-t border-slate-200 bg-white md:hidden", inThread && "hidden")}>
        {nav.map(({ to, label, icon: Icon }) => (
          <NavLink key={to} to={`${base}/${to}`} className={({ isActive }) => cn("flex flex-col items-center gap-0.5 py-2 text-[11px] font-medium focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-indigo-600", isActive ? "text-indigo-700" : "text-slate-500")}>
            <Icon className="size-5" aria-hidden />{label}
          </NavLink>
        ))}
      </nav>
    </div>
  );
}
