import { KeyRound } from "lucide-react";
import { type FormEvent, useState } from "react";
import { Link } from "react-router";
import { Badge } from "../../components/ui/badge";
import { Button } from "../../components/ui/button";
import { Card, CardBody, CardHeader } from "../../components/ui/card";
import { Field, Input, Select, Textarea } from "../../components/ui/input";
import { ErrorState, Loading } from "../../components/ui/states";
import { Switch } from "../../components/ui/switch";
import { useToast } from "../../components/ui/toast";
import { api, ApiError, errorMessage } from "../../lib/api";
import { keys, useAgent, usePortfolioMutation } from "../../lib/queries";
import type { Agent, PortfolioRef } from "../../lib/types";

const maxInstructions = 20_000;
type Fields = Pick<Agent, "name" | "instructions" | "model" | "enabled">;
type Patch = Partial<Fields> & { openaiApiKey?: string | null };
const pick = (a: Agent): Fields => ({ name: a.name, instructions: a.instructions, model: a.model, enabled: a.enabled });

export function AgentSettings({ portfolio }: { portfolio: PortfolioRef }) {
  const pid = portfolio.id;
  const agent = useAgent(pid);
  const toast = useToast();
  const save = usePortfolioMutation(pid, (base, body: Patch) => api<{ agent: Agent }>(`${base}/agent`, { method: "PATCH", body }), () => [keys.agent(pid)]);
  const [edits, setEdits] = useState<Fields | null>(null);
  const [key, setKey] = useState("");
  if (agent.isPending) return <Loading />;
  if (agent.error) return <ErrorState error={agent.error} onRetry={() => void agent.refetch()} />;
  // The form shows the saved agent until the first edit.
  const form = edits ?? pick(agent.data.agent);
  const setForm = setEdits;
  const current = agent.data!.agent;
  const mayManage = portfolio.role !== "agent";
  const fieldError = (name: string) => (save.error instanceof ApiError ? save.error.fields.find((f) => f.field === `body.${name}`)?.message : undefined);
  const changed: Patch = {};
  for (const k of ["name", "instructions", "model", "enabled"] as const) if (form[k] !== current[k]) Object.assign(changed, { [k]: form[k] });
  const dirty = Object.keys(changed).length > 0;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate(changed, { onSuccess: () => { setEdits(null); toast("ok", "Agent saved."); } });
  };
  const setOwnKey = (value: string | null) =>
    save.mutate({ openaiApiKey: value }, { onSuccess: () => { setKey(""); toast("ok", value ? "Key saved. It is stored encrypted and never shown again." : "Key removed: the server's key is used."); }, onError: (e) => toast("error", errorMessage(e)) });

  return (
    <div className="space-y-6">
      <Card>
        <CardHeader
          title="AI agent"
          description={<>Answers customers in conversations set to AI. <Link to={`/p/${pid}/playground`} className="font-medium text-indigo-700 underline">Try it in the playground</Link>.</>}
          action={
            <div className="flex items-center gap-2">
              <span className="text-xs text-slate-600" aria-hidden>{form.enabled ? "On" : "Off"}</span>
              <Switch checked={form.enabled} label="Agent answers customers" disabled={!mayManage} onChange={(enabled) => setForm({ ...form, enabled })} data-testid="agent-enabled" />
            </div>
          }
        />
        <CardBody>
          <form onSubmit={submit} className="space-y-4">
            {!form.enabled && <p className="rounded-md bg-slate-50 p-3 text-xs text-slate-600 ring-1 ring-slate-200">While the agent is off, new messages wait in the inbox for a person.</p>}
            <Field label="Name" hint="Customers may see it when the agent introduces itself." error={fieldError("name")}>
              {(id) => <Input id={id} value={form.name} maxLength={60} disabled={!mayManage} onChange={(e) => setForm({ ...form, name: e.target.value })} />}
            </Field>
            <Field label="Instructions" hint={`${form.instructions.length.toLocaleString()} of ${maxInstructions.toLocaleString()} characters. What you sell, prices, opening hours, tone, and when to hand over to a person.`} error={fieldError("instructions")}>
              {(id) => <Textarea id={id} rows={12} value={form.instructions} maxLength={maxInstructions} disabled={!mayManage} onChange={(e) => setForm({ ...form, instructions: e.target.value })} data-testid="agent-instructions" />}
            </Field>
            <Field label="Model" error={fieldError("model")}>
              {(id) => (
                <Select id={id} value={form.model} disabled={!mayManage} onChange={(e) => setForm({ ...form, model: e.target.value })}>
                  {agent.data!.models.map((m) => <option key={m} value={m}>{m}</option>)}
                </Select>
              )}
            </Field>
            {save.error && !fieldError("name") && !fieldError("instructions") && !fieldError("model") && <p role="alert" className="text-sm text-red-600">{errorMessage(save.error)}</p>}
            {mayManage && (
              <div className="flex justify-end gap-2">
                <Button variant="secondary" disabled={!dirty} onClick={() => setEdits(null)}>Discard</Button>
                <Button type="submit" disabled={!dirty || save.isPending} data-testid="agent-save">{save.isPending ? "Saving…" : "Save changes"}</Button>
              </div>
            )}
          </form>
        </CardBody>
      </Card>
      <Card>
        <CardHeader title="Own OpenAI key" description="Optional. With a key of your own, the agent's usage is billed to your OpenAI account instead of the server's." />
        <CardBody>
          {current.hasOwnOpenAiKey ? (
            <div className="flex flex-wrap items-center gap-3">
              <KeyRound className="size-4 text-slate-400" aria-hidden />
              <span className="text-sm text-slate-700">A key is set</span>
              <Badge>{current.openAiKeyHint ?? "…"}</Badge>
              {mayManage && <Button variant="danger-ghost" size="sm" className="ml-auto" onClick={() => setOwnKey(null)} disabled={save.isPending}>Remove key</Button>}
            </div>
          ) : mayManage ? (
            <form onSubmit={(e) => { e.preventDefault(); if (key.trim()) setOwnKey(key.trim()); }} className="flex flex-col gap-2 sm:flex-row sm:items-end">
              <div className="flex-1">
                <Field label="OpenAI API key" hint="Stored encrypted; only its last 4 characters are ever shown.">
                  {(id) => <Input id={id} type="password" autoComplete="off" placeholder="sk-…" value={key} onChange={(e) => setKey(e.target.value)} />}
                </Field>
              </div>
              <Button type="submit" disabled={key.trim().length < 20 || save.isPending} className="sm:mb-5">Save key</Button>
            </form>
          ) : (
            <p className="text-sm text-slate-500">No own key: the server's key is used.</p>
          )}
        </CardBody>
      </Card>
    </div>
  );
}
