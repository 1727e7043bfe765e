import { AlertTriangle, Plug, Plus } from "lucide-react";
import { type FormEvent, useState } from "react";
import { PlatformIcon } from "../../components/platform-icon";
import { Badge } from "../../components/ui/badge";
import { Button } from "../../components/ui/button";
import { Card, CardHeader } from "../../components/ui/card";
import { ConfirmDialog, Dialog } from "../../components/ui/dialog";
import { Field, Input, Select } from "../../components/ui/input";
import { EmptyState, ErrorState, Loading } from "../../components/ui/states";
import { SegmentedTabs } from "../../components/ui/tabs";
import { useToast } from "../../components/ui/toast";
import { api, ApiError, errorMessage } from "../../lib/api";
import { fullTime, platformName, shortTime } from "../../lib/format";
import { keys, useChannels, usePortfolioMutation } from "../../lib/queries";
import type { Channel, Platform, PortfolioRef } from "../../lib/types";

interface FieldSpec { name: string; label: string; required?: boolean; secret?: boolean; hint?: string; numeric?: boolean }

/** The connect bodies of POST /channels/:platform (see GET /api/openapi.json). */
const forms: Record<Platform, FieldSpec[]> = {
  whatsapp: [
    { name: "phoneNumberId", label: "Phone number id", required: true, numeric: true, hint: "WhatsApp Manager → API setup: the id of the number, not the number itself." },
    { name: "wabaId", label: "WhatsApp Business Account id", required: true, numeric: true },
    { name: "accessToken", label: "Access token", required: true, secret: true, hint: "A system user token with whatsapp_business_messaging and whatsapp_business_management." },
    { name: "displayName", label: "Name shown in the inbox" },
    { name: "appSecret", label: "App secret", secret: true, hint: "Only if this number belongs to another Meta app than the server's." },
    { name: "verifyToken", label: "Webhook verify token", secret: true },
  ],
  messenger: [
    { name: "pageId", label: "Facebook Page id", required: true, numeric: true },
    { name: "pageToken", label: "Page access token", required: true, secret: true, hint: "From a system user, so that it does not expire." },
    { name: "displayName", label: "Name shown in the inbox" },
    { name: "appSecret", label: "App secret", secret: true, hint: "Only if the Page uses another Meta app than the server's." },
    { name: "verifyToken", label: "Webhook verify token", secret: true },
  ],
  instagram: [
    { name: "accountId", label: "Instagram account id", required: true, numeric: true },
    { name: "token", label: "Access token", required: true, secret: true },
    { name: "pageId", label: "Linked Facebook Page id", numeric: true, hint: "Needed when the token comes from Facebook Login." },
    { name: "displayName", label: "Name shown in the inbox" },
    { name: "instagramAppSecret", label: "Instagram app secret", secret: true, hint: "Lets the server turn a short-lived token into a long-lived one and refresh it." },
    { name: "appSecret", label: "App secret", secret: true },
    { name: "verifyToken", label: "Webhook verify token", secret: true },
  ],
};

function ConnectDialog({ open, onClose, pid }: { open: boolean; onClose(): void; pid: string }) {
  const toast = useToast();
  const [platform, setPlatform] = useState<Platform>("whatsapp");
  const [values, setValues] = useState<Record<string, string>>({});
  const [login, setLogin] = useState<"instagram" | "facebook">("instagram");
  const [longLived, setLongLived] = useState(false);
  const connect = usePortfolioMutation(pid, (base, body: Record<string, unknown>) => api<{ channel: Channel }>(`${base}/channels/${platform}`, { method: "POST", body }), () => [keys.channels(pid)]);
  const fields = forms[platform];
  const fieldError = (name: string) => (connect.error instanceof ApiError ? connect.error.fields.find((f) => f.field === `body.${name}`)?.message : undefined);
  const close = () => { setValues({}); connect.reset(); onClose(); };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const body: Record<string, unknown> = {};
    for (const f of fields) if (values[f.name]?.trim()) body[f.name] = values[f.name]!.trim();
    if (platform === "instagram") Object.assign(body, { login, longLived });
    connect.mutate(body, { onSuccess: ({ channel }) => { toast("ok", `${platformName[channel.platform]} connected.`); close(); } });
  };
  return (
    <Dialog
      open={open}
      onClose={close}
      title="Connect a channel"
      description="Cosbot checks the credentials with Meta and subscribes to the channel's webhooks; nothing is saved if a check fails. Tokens are stored encrypted and never shown again."
      footer={
        <>
          <Button variant="secondary" onClick={close}>Cancel</Button>
          <Button type="submit" form="connect-form" disabled={connect.isPending} data-testid="connect-submit">{connect.isPending ? "Checking with Meta…" : `Connect ${platformName[platform]}`}</Button>
        </>
      }
    >
      <form id="connect-form" onSubmit={submit} className="space-y-4" data-testid="connect-form">
        <SegmentedTabs label="Platform" value={platform} onChange={(p) => { setPlatform(p); connect.reset(); }} options={(Object.keys(forms) as Platform[]).map((p) => ({ value: p, label: platformName[p] }))} />
        {platform === "instagram" && (
          <div className="grid grid-cols-2 gap-3">
            <Field label="Token from">
              {(id) => (
                <Select id={id} value={login} onChange={(e) => setLogin(e.target.value as "instagram" | "facebook")}>
                  <option value="instagram">Instagram Login</option>
                  <option value="facebook">Facebook Login</option>
                </Select>
              )}
            </Field>
            <Field label="Token lifetime">
              {(id) => (
                <Select id={id} value={longLived ? "long" : "short"} onChange={(e) => setLongLived(e.target.value === "long")}>
                  <option value="short">Short-lived</option>
                  <option value="long">Long-lived (60 days)</option>
                </Select>
              )}
            </Field>
          </div>
        )}
        {fields.map((f) => (
          <Field key={`${platform}.${f.name}`} label={f.required ? f.label : `${f.label} (optional)`} hint={f.hint} error={fieldError(f.name)}>
            {(id) => (
              <Input
                id={id}
                name={f.name}
                data-testid={`connect-${f.name}`}
                required={f.required}
                type={f.secret ? "password" : "text"}
                inputMode={f.numeric ? "numeric" : undefined}
                pattern={f.numeric ? "\\d{1,32}" : undefined}
                autoComplete="off"
                value={values[f.name] ?? ""}
                onChange={(e) => setValues({ ...values, [f.name]: e.target.value })}
              />
            )}
          </Field>
        ))}
        {connect.error && <p role="alert" className="rounded-md bg-red-50 p-3 text-sm text-red-700 ring-1 ring-red-200">{errorMessage(connect.error)}</p>}
        <button type="submit" hidden />
      </form>
    </Dialog>
  );
}

function expiry(c: Channel): string {
  if (!c.tokenExpiresAt) return "Token does not expire";
  const days = Math.round((new Date(c.tokenExpiresAt).getTime() - Date.now()) / 86_400_000);
  if (days < 0) return `Token expired ${fullTime(c.tokenExpiresAt)}`;
  return `Token expires in ${days} day${days === 1 ? "" : "s"} (${fullTime(c.tokenExpiresAt)})`;
}

function ChannelRow({ c, pid, mayManage }: { c: Channel; pid: string; mayManage: boolean }) {
  const [confirm, setConfirm] = useState(false);
  const toast = useToast();
  const disconnect = usePortfolioMutation(pid, (base) => api(`${base}/channels/${c.id}`, { method: "DELETE" }), () => [keys.channels(pid)]);
  const stateBadge = c.state === "active" ? <Badge tone="green">Active</Badge> : c.state === "needs_reauth" ? <Badge tone="amber">Needs reconnecting</Badge> : <Badge>Disconnected</Badge>;
  return (
    <li className="px-5 py-4" data-testid="channel" data-state={c.state}>
      <div className="flex flex-wrap items-start gap-x-3 gap-y-2">
        <PlatformIcon platform={c.platform} className="mt-0.5 size-7" />
        <div className="min-w-0 flex-1 basis-56">
          <div className="flex flex-wrap items-center gap-2">
            <p className="truncate text-sm font-medium text-slate-900">{c.displayName || `${platformName[c.platform]} ${c.externalId}`}</p>
            {stateBadge}
          </div>
          <p className="mt-0.5 text-xs text-slate-500">{platformName[c.platform]} · id {c.externalId}{c.tokenHint ? ` · token ${c.tokenHint}` : ""}</p>
          {c.state !== "disabled" && (
            <p className="mt-1 text-xs text-slate-500">
              {expiry(c)} · {c.lastWebhookAt ? `last event ${shortTime(c.lastWebhookAt)}` : "no event received yet"}
              {c.errorsLast24h > 0 && <span className="text-red-600"> · {c.errorsLast24h} failed send{c.errorsLast24h === 1 ? "" : "s"} in 24 h</span>}
            </p>
          )}
          {c.state === "needs_reauth" && (
            <div className="mt-2 flex gap-2 rounded-md bg-amber-50 p-3 text-xs text-amber-900 ring-1 ring-amber-200">
              <AlertTriangle className="size-4 shrink-0" aria-hidden />
              <div>
                <p className="font-medium">{c.stateReason || "Meta no longer accepts this channel's token."}</p>
                <p className="mt-1">Nothing can be sent until it is fixed. Create a new token in Meta Business Settings, disconnect this channel, and connect it again with the new token: its conversations are kept.</p>
              </div>
            </div>
          )}
          {c.state === "disabled" && c.stateReason && <p className="mt-1 text-xs text-slate-500">{c.stateReason}</p>}
        </div>
        {mayManage && c.state !== "disabled" && <Button variant="danger-ghost" size="sm" className="ml-7.5 sm:ml-0" onClick={() => setConfirm(true)}>Disconnect</Button>}
      </div>
      <ConfirmDialog
        open={confirm}
        onClose={() => setConfirm(false)}
        title={`Disconnect ${c.displayName || platformName[c.platform]}?`}
        description="Its credentials are wiped and nothing more is sent or received on it. Conversations stay in the inbox; connecting the same account again picks them up."
        confirmLabel="Disconnect"
        busy={disconnect.isPending}
        error={disconnect.error ? errorMessage(disconnect.error) : null}
        onConfirm={() => disconnect.mutate(undefined, { onSuccess: () => { setConfirm(false); toast("ok", "Channel disconnected."); } })}
      />
    </li>
  );
}

export function ChannelSettings({ portfolio }: { portfolio: PortfolioRef }) {
  const pid = portfolio.id;
  const channels = useChannels(pid);
  const [open, setOpen] = useState(false);
  const mayManage = portfolio.role !== "agent";
  const list = channels.data?.channels ?? [];
  const live = list.filter((c) => c.state !== "disabled");
  const gone = list.filter((c) => c.state === "disabled");
  return (
    <div className="space-y-6">
      <Card>
        <CardHeader
          title="Channels"
          description="Where your customers write to you."
          action={mayManage && <Button size="sm" onClick={() => setOpen(true)} data-testid="connect-channel"><Plus className="size-4" aria-hidden />Connect</Button>}
        />
        {channels.isPending ? <Loading /> : channels.error ? <ErrorState error={channels.error} onRetry={() => void channels.refetch()} /> : live.length === 0 ? (
          <EmptyState icon={<Plug className="size-5" />} title="No channel connected">
            {mayManage ? "Connect a WhatsApp number, a Facebook Page or an Instagram account to start receiving messages." : "An owner or admin can connect one."}
          </EmptyState>
        ) : (
          <ul className="divide-y divide-slate-100">{live.map((c) => <ChannelRow key={c.id} c={c} pid={pid} mayManage={mayManage} />)}</ul>
        )}
      </Card>
      {gone.length > 0 && (
        <Card>
          <CardHeader title="Disconnected" description="Kept so their conversations stay readable." />
          <ul className="divide-y divide-slate-100">{gone.map((c) => <ChannelRow key={c.id} c={c} pid={pid} mayManage={false} />)}</ul>
        </Card>
      )}
      <ConnectDialog open={open} onClose={() => setOpen(false)} pid={pid} />
    </div>
  );
}
