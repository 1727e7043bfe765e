import { ArrowLeft, Download, Pencil, ShieldAlert, StickyNote, Trash2 } from "lucide-react";
import { type UseMutationResult, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Link, useNavigate } from "react-router";
import { PlatformIcon } from "../../components/platform-icon";
import { Button } from "../../components/ui/button";
import { ConfirmDialog, TypedConfirmDialog } from "../../components/ui/dialog";
import { Textarea } from "../../components/ui/input";
import { ErrorState, Loading } from "../../components/ui/states";
import { useToast } from "../../components/ui/toast";
import { api, errorMessage } from "../../lib/api";
import { fullTime, platformName } from "../../lib/format";
import { keys, useConversation, useMembers, useNotes, usePortfolioMutation, useSubmitMutation } from "../../lib/queries";
import type { Me, Note, PortfolioRef } from "../../lib/types";

function NoteItem({ note, pid, customerId, mayEdit, mayDelete }: { note: Note; pid: string; customerId: string; mayEdit: boolean; mayDelete: boolean }) {
  const toast = useToast();
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(note.body);
  const [confirm, setConfirm] = useState(false);
  const invalidate = () => [keys.notes(pid, customerId)];
  const save = usePortfolioMutation(pid, (base, body: string) => api(`${base}/customers/${customerId}/notes/${note.id}`, { method: "PATCH", body: { body } }), invalidate);
  const remove = usePortfolioMutation(pid, (base) => api(`${base}/customers/${customerId}/notes/${note.id}`, { method: "DELETE" }), invalidate);
  return (
    <li className="rounded-md bg-amber-50/60 p-3 ring-1 ring-amber-100" data-testid="note">
      {editing ? (
        <form onSubmit={(e) => { e.preventDefault(); if (draft.trim()) save.mutate(draft.trim(), { onSuccess: () => setEditing(false), onError: (err) => toast("error", errorMessage(err)) }); }} className="space-y-2">
          <Textarea aria-label="Edit note" value={draft} onChange={(e) => setDraft(e.target.value)} rows={3} autoFocus onKeyDown={(e) => { if (e.key === "Escape") { setEditing(false); setDraft(note.body); } }} />
          <div className="flex justify-end gap-2">
            <Button variant="ghost" size="sm" onClick={() => { setEditing(false); setDraft(note.body); }}>Cancel</Button>
            <Button type="submit" size="sm" disabled={!draft.trim() || save.isPending}>Save</Button>
          </div>
        </form>
      ) : (
        <>
          <p className="whitespace-pre-wrap break-words text-sm text-slate-800">{note.body}</p>
          <div className="mt-2 flex items-center gap-1 text-xs text-slate-500">
            <span className="min-w-0 flex-1 truncate">{note.author.name} · {fullTime(note.updatedAt ?? note.createdAt)}{note.updatedAt && note.updatedAt !== note.createdAt ? " (edited)" : ""}</span>
            {mayEdit && <Button variant="ghost" size="icon" aria-label="Edit note" onClick={() => setEditing(true)}><Pencil className="size-3.5" /></Button>}
            {mayDelete && <Button variant="danger-ghost" size="icon" aria-label="Delete note" onClick={() => setConfirm(true)}><Trash2 className="size-3.5" /></Button>}
          </div>
        </>
      )}
      <ConfirmDialog
        open={confirm}
        onClose={() => setConfirm(false)}
        title="Delete this note?"
        description="The note is removed for everyone in the team. This cannot be undone."
        confirmLabel="Delete note"
        busy={remove.isPending}
        error={remove.error ? errorMessage(remove.error) : null}
        onConfirm={() => remove.mutate(undefined, { onSuccess: () => setConfirm(false) })}
      />
    </li>
  );
}

/** The customer's data rights, exercised by an owner or admin: a JSON copy of everything, or erasure. */
function CustomerData({ pid, customerId, name, erase }: { pid: string; customerId: string; name: string; erase: UseMutationResult<unknown, Error, void> }) {
  const toast = useToast();
  const [confirm, setConfirm] = useState(false);
  const [exporting, setExporting] = useState(false);
  const download = async () => {
    setExporting(true);
    try {
      const doc = await api<unknown>(`/api/portfolios/${encodeURIComponent(pid)}/customers/${customerId}/export`);
      const url = URL.createObjectURL(new Blob([JSON.stringify(doc, null, 2)], { type: "application/json" }));
      const a = document.createElement("a");
      a.href = url;
      a.download = `customer-${customerId}.json`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (err) {
      toast("error", errorMessage(err));
    } finally {
      setExporting(false);
    }
  };
  return (
    <section aria-labelledby="privacy-title" className="border-t border-slate-100 px-4 py-3">
      <h3 id="privacy-title" className="mb-1 text-xs font-semibold tracking-wide text-slate-500 uppercase">Customer data</h3>
      <p className="mb-2 text-xs text-slate-500">For a customer's request to see or remove what you hold about them.</p>
      <div className="flex flex-wrap gap-2">
        <Button variant="secondary" size="sm" onClick={() => void download()} disabled={exporting} data-testid="customer-export"><Download className="size-3.5" aria-hidden />{exporting ? "Exporting…" : "Export data"}</Button>
        <Button variant="danger-ghost" size="sm" onClick={() => setConfirm(true)} data-testid="customer-erase"><ShieldAlert className="size-3.5" aria-hidden />Erase customer</Button>
      </div>
      <TypedConfirmDialog
        open={confirm}
        onClose={() => { setConfirm(false); erase.reset(); }}
        title={`Erase ${name}?`}
        description="The customer and all their conversations, messages and notes are removed for good, for everyone in the team. If they write again they start as a new customer."
        phrase="erase"
        confirmLabel="Erase for good"
        testId="customer-erase"
        busy={erase.isPending}
        error={erase.error ? errorMessage(erase.error) : null}
        onConfirm={() => erase.mutate()}
      />
    </section>
  );
}

function Row({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="flex justify-between gap-4 py-1.5 text-sm">
      <dt className="text-slate-500">{label}</dt>
      <dd className="min-w-0 break-words text-right text-slate-900">{children}</dd>
    </div>
  );
}

/** Who the customer is, and the team's notes about them. */
export function CustomerPanel({ pid, cid, base, me, portfolio }: { pid: string; cid: string; base: string; me: Me; portfolio: PortfolioRef }) {
  const head = useConversation(pid, cid);
  const customerId = head.data?.customer.id ?? "";
  const notes = useNotes(pid, customerId);
  const members = useMembers(pid);
  const [draft, setDraft] = useState("");
  const add = usePortfolioMutation(pid, (b, body: string) => api(`${b}/customers/${customerId}/notes`, { method: "POST", body: { body } }), () => [keys.notes(pid, customerId)]);
  const myMemberId = members.data?.members.find((m) => m.userId === me.user.id)?.id;
  const isAdmin = portfolio.role === "owner" || portfolio.role === "admin";
  const toast = useToast();
  const navigate = useNavigate();
  const qc = useQueryClient();
  // Held here, not in CustomerData: the erased conversation's refetch fails at once (404) and
  // unmounts the panel's body, and the mutation must still take the reader back to the list.
  const erase = useSubmitMutation({
    mutationFn: () => api(`/api/portfolios/${encodeURIComponent(pid)}/customers/${customerId}`, { method: "DELETE", body: { confirm: "erase" } }),
    onSuccess: () => {
      toast("ok", "The customer was erased.");
      navigate(base, { replace: true });
      void qc.invalidateQueries({ queryKey: keys.conversations(pid) });
    },
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (draft.trim()) add.mutate(draft.trim(), { onSuccess: () => setDraft("") });
  };

  return (
    <aside aria-label="Customer" className="flex h-full min-h-0 flex-col bg-white" data-testid="customer-panel">
      <header className="flex items-center gap-2 border-b border-slate-200 px-3 py-2.5 lg:px-4">
        <Link to={`${base}/${cid}`} className="rounded-md p-1.5 text-slate-500 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-indigo-600 lg:hidden" aria-label="Back to the conversation"><ArrowLeft className="size-4" /></Link>
        <h2 className="text-sm font-semibold text-slate-900">Customer</h2>
      </header>
      {head.isPending ? <Loading /> : head.error ? <ErrorState error={head.error} onRetry={() => void head.refetch()} /> : (
        <div className="min-h-0 flex-1 overflow-y-auto">
          <div className="flex flex-col items-center gap-2 border-b border-slate-100 px-4 py-5 text-center">
            <span className="flex size-14 items-center justify-center rounded-full bg-slate-200 text-xl font-medium text-slate-600" aria-hidden>{(head.data.customer.profileName || head.data.customer.platformUserId).slice(0, 1).toUpperCase()}</span>
            <p className="text-base font-semibold text-slate-900">{head.data.customer.profileName || "No profile name"}</p>
            <p className="inline-flex items-center gap-1.5 text-xs text-slate-500"><PlatformIcon platform={head.data.customer.platform} />{platformName[head.data.customer.platform]}</p>
          </div>
          <dl className="border-b border-slate-100 px-4 py-3">
            <Row label={head.data.customer.platform === "whatsapp" ? "Phone (WhatsApp id)" : "Platform id"}><span className="font-mono text-xs" title={head.data.customer.platformUserId}>{head.data.customer.platformUserId}</span></Row>
            <Row label="First seen">{fullTime(head.data.customer.firstSeenAt)}</Row>
            <Row label="Last seen">{fullTime(head.data.customer.lastSeenAt)}</Row>
            <Row label="Channel">{head.data.channel.displayName || head.data.channel.externalId}</Row>
          </dl>
          <section aria-labelledby="notes-title" className="px-4 py-3">
            <h3 id="notes-title" className="mb-2 text-xs font-semibold tracking-wide text-slate-500 uppercase">Notes</h3>
            <form onSubmit={submit} className="space-y-2">
              <Textarea aria-label="New note" placeholder="Add a note for your team…" rows={2} value={draft} onChange={(e) => setDraft(e.target.value)} data-testid="note-input" />
              {add.error && <p role="alert" className="text-xs text-red-600">{errorMessage(add.error)}</p>}
              <div className="flex justify-end"><Button type="submit" size="sm" disabled={!draft.trim() || add.isPending}>Add note</Button></div>
            </form>
            <div className="mt-3">
              {notes.isPending ? <Loading label="Loading notes…" /> : notes.error ? <ErrorState error={notes.error} onRetry={() => void notes.refetch()} /> : notes.data.notes.length === 0 ? (
                <p className="flex items-center gap-2 text-xs text-slate-500"><StickyNote className="size-3.5 shrink-0" aria-hidden />No notes yet. Notes are only seen by your team.</p>
              ) : (
                <ul className="space-y-2">
                  {notes.data.notes.map((n) => (
                    <NoteItem key={n.id} note={n} pid={pid} customerId={customerId} mayEdit={n.author.memberId === myMemberId} mayDelete={n.author.memberId === myMemberId || isAdmin} />
                  ))}
                </ul>
              )}
            </div>
          </section>
          {isAdmin && <CustomerData pid={pid} customerId={customerId} name={head.data.customer.profileName || head.data.customer.platformUserId} erase={erase} />}
        </div>
      )}
    </aside>
  );
}
