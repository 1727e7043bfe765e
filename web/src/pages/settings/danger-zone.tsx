import { useQueryClient } from "@tanstack/react-query";
import { AlertTriangle, CheckCircle2, XCircle } from "lucide-react";
import { useState } from "react";
import { Button } from "../../components/ui/button";
import { Card, CardHeader } from "../../components/ui/card";
import { Dialog, TypedConfirmDialog } from "../../components/ui/dialog";
import { api, errorMessage } from "../../lib/api";
import { platformName } from "../../lib/format";
import { expectPortfolioGone } from "../../lib/portfolio-gone";
import { keys, useSubmitMutation } from "../../lib/queries";
import type { Me, Platform, PortfolioRef } from "../../lib/types";
import { DeleteAccount } from "../account-deletion";

interface Unsubscribed { channelId: string; platform: Platform; ok: boolean; error?: string; kept?: string }
interface Deleted { deleted: true; unsubscribe: Unsubscribed[] }

/** What Meta was told about each channel once the business is gone. */
function UnsubscribeReport({ results }: { results: Unsubscribed[] }) {
  if (results.length === 0) return <p className="text-sm text-slate-600">It had no connected channel to unsubscribe at Meta.</p>;
  return (
    <ul className="space-y-2" data-testid="unsubscribe-results">
      {results.map((r) => (
        <li key={r.channelId} className="flex items-start gap-2 text-sm">
          {r.ok ? <CheckCircle2 className="mt-0.5 size-4 shrink-0 text-emerald-600" aria-hidden /> : <XCircle className="mt-0.5 size-4 shrink-0 text-red-600" aria-hidden />}
          <span>
            <span className="font-medium">{platformName[r.platform]}</span>{" "}
            {r.ok ? (r.kept ? `kept subscribed: ${r.kept}` : "unsubscribed from its webhooks") : `could not be unsubscribed (${r.error ?? "unknown error"}): remove the app in Meta Business Settings yourself`}
          </span>
        </li>
      ))}
    </ul>
  );
}

/** Deleting the business for good (owner only, typed name) and, from here too, one's own account. */
export function DangerZone({ portfolio, me }: { portfolio: PortfolioRef; me: Me }) {
  const qc = useQueryClient();
  const [open, setOpen] = useState(false);
  const [done, setDone] = useState<Deleted | null>(null);
  const remove = useSubmitMutation({
    mutationFn: () => {
      // This tab shows its own report: the live "portfolio.deleted" and the 404s after it are expected.
      expectPortfolioGone(portfolio.id);
      return api<Deleted>(`/api/portfolios/${encodeURIComponent(portfolio.id)}`, { method: "DELETE", body: { confirm: portfolio.name } });
    },
    onSuccess: (res) => { setOpen(false); setDone(res); },
    onError: () => expectPortfolioGone(portfolio.id, false),
  });
  const finish = async () => {
    localStorage.removeItem("cosbot.portfolio");
    qc.removeQueries({ queryKey: keys.portfolio(portfolio.id) });
    await qc.invalidateQueries({ queryKey: keys.me });
    // Through the router's home: another business, or naming a new one.
    window.location.assign("/");
  };
  return (
    <Card className="ring-red-200" data-testid="danger-zone">
      <CardHeader title={<span className="inline-flex items-center gap-1.5 text-red-700"><AlertTriangle className="size-4" aria-hidden />Danger zone</span>} description="These cannot be undone." />
      <ul className="divide-y divide-slate-100">
        <li className="flex flex-col gap-3 px-5 py-4 sm:flex-row sm:items-center">
          <div className="min-w-0 flex-1">
            <p className="text-sm font-medium text-slate-900">Delete this business</p>
            <p className="mt-0.5 text-sm text-slate-500">
              {portfolio.role === "owner"
                ? "Removes its channels and credentials, agent, customers, conversations, notes and team for good, and unsubscribes its channels at Meta."
                : "Only an owner can delete the business."}
            </p>
          </div>
          <Button variant="danger" size="sm" disabled={portfolio.role !== "owner"} onClick={() => setOpen(true)} data-testid="portfolio-delete">Delete business</Button>
        </li>
        <li className="flex flex-col gap-3 px-5 py-4 sm:flex-row sm:items-center">
          <div className="min-w-0 flex-1">
            <p className="text-sm font-medium text-slate-900">Delete your account</p>
            <p className="mt-0.5 text-sm text-slate-500">Possible once you belong to no business: leave this one or delete it first.</p>
          </div>
          <DeleteAccount me={me} />
        </li>
      </ul>
      <TypedConfirmDialog
        open={open}
        onClose={() => { setOpen(false); remove.reset(); }}
        title={`Delete ${portfolio.name}?`}
        description="Everything in this business is deleted for good for every member: channels, the agent, customers, conversations, messages and notes. Customers can still write to your numbers and pages, but nobody here sees it."
        phrase={portfolio.name}
        confirmLabel="Delete business"
        testId="portfolio-delete"
        busy={remove.isPending}
        error={remove.error ? errorMessage(remove.error) : null}
      onConfirm={() => remove.mutate()}
      />
      <Dialog
        open={done !== null}
        onClose={() => void finish()}
        title={`${portfolio.name} was deleted`}
        footer={<Button onClick={() => void finish()} data-testid="portfolio-deleted-done">Done</Button>}
      >
        {done && <UnsubscribeReport results={done.unsubscribe} />}
      </Dialog>
    </Card>
  );
}
