import { UserPlus } from "lucide-react";
import { type FormEvent, useState } from "react";
import { useNavigate } from "react-router";
import { useQueryClient } from "@tanstack/react-query";
import { Badge } from "../../components/ui/badge";
import { Button } from "../../components/ui/button";
import { Card, CardBody, CardHeader } from "../../components/ui/card";
import { ConfirmDialog } from "../../components/ui/dialog";
import { Field, Input, Select } from "../../components/ui/input";
import { ErrorState, Loading } from "../../components/ui/states";
import { SegmentedTabs } from "../../components/ui/tabs";
import { useToast } from "../../components/ui/toast";
import { api, errorMessage } from "../../lib/api";
import { expectPortfolioGone } from "../../lib/portfolio-gone";
import { fullTime } from "../../lib/format";
import { keys, useMembers, usePortfolioMutation } from "../../lib/queries";
import type { Me, Member, PortfolioRef, Role } from "../../lib/types";

const roleText: Record<Role, string> = { owner: "Owner", admin: "Admin", agent: "Agent" };
const roleHelp = "Agents answer customers and write notes. Admins also manage channels, the AI agent and members. Owners can also manage owners.";

function InviteForm({ pid, myRole }: { pid: string; myRole: Role }) {
  const toast = useToast();
  const [by, setBy] = useState<"githubLogin" | "email">("githubLogin");
  const [who, setWho] = useState("");
  const [role, setRole] = useState<Role>("agent");
  const invite = usePortfolioMutation(pid, (base, body: Record<string, string>) => api(`${base}/invitations`, { method: "POST", body }), () => [keys.members(pid)]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    invite.mutate({ [by]: who.trim(), role }, { onSuccess: () => { setWho(""); toast("ok", "Invitation sent: they join when they sign in."); } });
  };
  return (
    <form onSubmit={submit} className="space-y-3">
      <SegmentedTabs<"githubLogin" | "email"> label="Invite by" value={by} onChange={setBy} options={[{ value: "githubLogin", label: "GitHub login" }, { value: "email", label: "E-mail" }]} />
      <div className="flex flex-col gap-2 sm:flex-row sm:items-end">
        <div className="flex-1">
          <Field label={by === "email" ? "E-mail address" : "GitHub login"}>
            {(id) => <Input id={id} type={by === "email" ? "email" : "text"} required value={who} onChange={(e) => setWho(e.target.value)} placeholder={by === "email" ? "name@example.com" : "octocat"} />}
          </Field>
        </div>
        <div className="sm:w-36">
          <Field label="Role">
            {(id) => (
              <Select id={id} value={role} onChange={(e) => setRole(e.target.value as Role)}>
                <option value="agent">Agent</option>
                <option value="admin">Admin</option>
                {myRole === "owner" && <option value="owner">Owner</option>}
              </Select>
            )}
          </Field>
        </div>
        <Button type="submit" disabled={!who.trim() || invite.isPending}><UserPlus className="size-4" aria-hidden />Invite</Button>
      </div>
      {invite.error && <p role="alert" className="text-sm text-red-600">{errorMessage(invite.error)}</p>}
      <p className="text-xs text-slate-500">{roleHelp}</p>
    </form>
  );
}

function MemberRow({ m, pid, myRole, isMe }: { m: Member; pid: string; myRole: Role; isMe: boolean }) {
  const toast = useToast();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [confirm, setConfirm] = useState<"remove" | "leave" | null>(null);
  const change = usePortfolioMutation(pid, (base, role: Role) => api(`${base}/members/${m.id}`, { method: "PATCH", body: { role } }), () => [keys.members(pid)]);
  const remove = usePortfolioMutation(pid, (base) => api(`${base}/members/${m.id}`, { method: "DELETE" }), () => [keys.members(pid)]);
  // Leaving is expected to make this portfolio answer "no portfolio": not a deletion to announce.
  const leave = usePortfolioMutation(pid, (base) => { expectPortfolioGone(pid); return api(`${base}/leave`, { method: "POST" }).catch((e: unknown) => { expectPortfolioGone(pid, false); throw e; }); }, () => [keys.me]);
  const manage = myRole !== "agent" && !isMe && (myRole === "owner" || m.role !== "owner");
  const busy = remove.isPending || leave.isPending;
  return (
    <li className="flex flex-wrap items-center gap-3 px-5 py-3" data-testid="member">
      <span className="flex size-8 items-center justify-center rounded-full bg-slate-200 text-sm font-medium text-slate-600" aria-hidden>{(m.name || m.email).slice(0, 1).toUpperCase()}</span>
      <div className="min-w-0 flex-1">
        <p className="truncate text-sm font-medium text-slate-900">{m.name || m.email}{isMe && <span className="font-normal text-slate-500"> (you)</span>}</p>
        <p className="truncate text-xs text-slate-500">{[m.githubLogin && `@${m.githubLogin}`, m.email].filter(Boolean).join(" · ")} · joined {fullTime(m.joinedAt)}</p>
      </div>
      {manage ? (
        <Select aria-label={`Role of ${m.name || m.email}`} value={m.role} className="h-8 w-28 text-xs" disabled={change.isPending}
          onChange={(e) => change.mutate(e.target.value as Role, { onSuccess: () => toast("ok", "Role changed."), onError: (err) => toast("error", errorMessage(err)) })}>
          <option value="agent">Agent</option>
          <option value="admin">Admin</option>
          {myRole === "owner" && <option value="owner">Owner</option>}
        </Select>
      ) : (
        <Badge tone={m.role === "owner" ? "indigo" : "gray"}>{roleText[m.role]}</Badge>
      )}
      {manage && <Button variant="danger-ghost" size="sm" onClick={() => setConfirm("remove")}>Remove</Button>}
      {isMe && <Button variant="ghost" size="sm" onClick={() => setConfirm("leave")}>Leave</Button>}
      <ConfirmDialog
        open={confirm !== null}
        onClose={() => { setConfirm(null); remove.reset(); leave.reset(); }}
        title={confirm === "leave" ? "Leave this business?" : `Remove ${m.name || m.email}?`}
        description={confirm === "leave" ? "You lose access to its inbox and settings until someone invites you again." : "They lose access at once. Their messages and notes stay."}
        confirmLabel={confirm === "leave" ? "Leave" : "Remove"}
        busy={busy}
        error={remove.error ? errorMessage(remove.error) : leave.error ? errorMessage(leave.error) : null}
        onConfirm={() =>
          confirm === "leave"
            ? leave.mutate(undefined, { onSuccess: async () => { await qc.invalidateQueries({ queryKey: keys.me }); navigate("/"); } })
            : remove.mutate(undefined, { onSuccess: () => { setConfirm(null); toast("ok", "Member removed."); } })
        }
      />
    </li>
  );
}

export function MemberSettings({ portfolio, me }: { portfolio: PortfolioRef; me: Me }) {
  const pid = portfolio.id;
  const members = useMembers(pid);
  const toast = useToast();
  const revoke = usePortfolioMutation(pid, (base, id: string) => api(`${base}/invitations/${id}`, { method: "DELETE" }), () => [keys.members(pid)]);
  const mayManage = portfolio.role !== "agent";
  return (
    <div className="space-y-6">
      {mayManage && (
        <Card>
          <CardHeader title="Invite someone" description="They get access when they sign in with that GitHub account or verified e-mail. Invitations last 7 days." />
          <CardBody><InviteForm pid={pid} myRole={portfolio.role} /></CardBody>
        </Card>
      )}
      <Card>
        <CardHeader title="Members" />
        {members.isPending ? <Loading /> : members.error ? <ErrorState error={members.error} onRetry={() => void members.refetch()} /> : (
          <ul className="divide-y divide-slate-100">
            {members.data.members.map((m) => <MemberRow key={m.id} m={m} pid={pid} myRole={portfolio.role} isMe={m.userId === me.user.id} />)}
          </ul>
        )}
      </Card>
      {!!members.data?.invitations.length && (
        <Card>
          <CardHeader title="Pending invitations" />
          <ul className="divide-y divide-slate-100">
            {members.data.invitations.map((i) => (
              <li key={i.id} className="flex flex-wrap items-center gap-3 px-5 py-3">
                <div className="min-w-0 flex-1">
                  <p className="truncate text-sm text-slate-900">{i.githubLogin ? `@${i.githubLogin}` : i.email}</p>
                  <p className="text-xs text-slate-500">{roleText[i.role]} · expires {fullTime(i.expiresAt)}</p>
                </div>
                {mayManage && <Button variant="ghost" size="sm" disabled={revoke.isPending} onClick={() => revoke.mutate(i.id, { onError: (e) => toast("error", errorMessage(e)) })}>Revoke</Button>}
              </li>
            ))}
          </ul>
        </Card>
      )}
    </div>
  );
}
