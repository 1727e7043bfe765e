import { Bot, FlaskConical, RotateCcw, Send, User } from "lucide-react";
import { type FormEvent, useEffect, useRef, useState } from "react";
import { Link } from "react-router";
import { Button } from "../components/ui/button";
import { cn } from "../components/ui/cn";
import { Textarea } from "../components/ui/input";
import { EmptyState, Spinner } from "../components/ui/states";
import { api, ApiError, errorMessage } from "../lib/api";
import { useAgent, useSubmitMutation } from "../lib/queries";
import type { PortfolioRef } from "../lib/types";

interface Turn { role: "user" | "assistant"; text: string; handoff?: boolean }

/** A private chat with the agent: same instructions and model, no channel, nothing sent to anyone. */
export function PlaygroundPage({ portfolio }: { portfolio: PortfolioRef }) {
  const pid = portfolio.id;
  const agent = useAgent(pid);
  const [turns, setTurns] = useState<Turn[]>([]);
  const [text, setText] = useState("");
  const end = useRef<HTMLDivElement>(null);
  const ask = useSubmitMutation({
    mutationFn: (messages: Turn[]) =>
      api<{ reply: { text: string }; handoff?: boolean }>(`/api/portfolios/${pid}/agent/playground`, { method: "POST", body: { messages: messages.map(({ role, text }) => ({ role, text })) } }),
    onSuccess: (res) => setTurns((t) => [...t, { role: "assistant", text: res.reply.text, handoff: res.handoff }]),
  });
  // Braces on purpose: newer Chromium returns a Promise from scrollIntoView, and React would call it as a cleanup.
  useEffect(() => { end.current?.scrollIntoView({ block: "end" }); }, [turns, ask.isPending]);
  const submit = (e?: FormEvent) => {
    e?.preventDefault();
    const body = text.trim();
    if (!body || ask.isPending) return;
    const next = [...turns, { role: "user" as const, text: body }];
    setTurns(next);
    setText("");
    ask.mutate(next);
  };
  const missing = ask.error instanceof ApiError && ask.error.status === 404 && ask.error.message.startsWith("no route");
  const allowed = portfolio.role !== "agent";
  return (
    <div className="flex h-full min-h-0 flex-col">
      <header className="border-b border-slate-200 bg-white px-4 py-3">
        <div className="mx-auto flex max-w-3xl items-center gap-3">
          <FlaskConical className="size-5 text-indigo-600" aria-hidden />
          <div className="min-w-0 flex-1">
            <h1 className="text-sm font-semibold">Agent playground</h1>
            <p className="text-xs text-slate-500">Write as a customer would. {agent.data ? `${agent.data.agent.name} answers with its current instructions and ${agent.data.agent.model}.` : ""}</p>
          </div>
          <Button variant="ghost" size="sm" onClick={() => { setTurns([]); ask.reset(); }} disabled={!turns.length}><RotateCcw className="size-4" aria-hidden />Start over</Button>
        </div>
      </header>
      <div className="border-b border-indigo-100 bg-indigo-50 px-4 py-2 text-center text-xs text-indigo-900" role="note" data-testid="playground-notice">
        Private test: nothing here reaches a customer or any channel, and it is not saved. <Link className="underline" to={`/p/${pid}/settings/agent`}>Edit the instructions</Link>
      </div>
      <div className="min-h-0 flex-1 overflow-y-auto px-4 py-6">
        <div className="mx-auto flex max-w-3xl flex-col gap-3">
          {!allowed ? (
            <EmptyState icon={<Bot className="size-5" />} title="Only owners and admins can use the playground" />
          ) : turns.length === 0 ? (
            <EmptyState icon={<Bot className="size-5" />} title="Say hello to your agent">Ask what a customer would ask: prices, opening hours, an order. Change the instructions and try again.</EmptyState>
          ) : (
            turns.map((t, i) => (
              <div key={i} className={cn("flex items-end gap-2", t.role === "user" ? "flex-row" : "flex-row-reverse")} data-testid="playground-turn" data-role={t.role}>
                <span className={cn("flex size-7 shrink-0 items-center justify-center rounded-full", t.role === "user" ? "bg-slate-200 text-slate-600" : "bg-indigo-100 text-indigo-700")} aria-label={t.role === "user" ? "You, as the customer" : "Agent"}>
                  {t.role === "user" ? <User className="size-4" /> : <Bot className="size-4" />}
                </span>
                <div className={cn("max-w-[80%] rounded-2xl px-3.5 py-2 text-sm shadow-sm", t.role === "user" ? "rounded-bl-md bg-white ring-1 ring-slate-200" : "rounded-br-md bg-indigo-50 ring-1 ring-indigo-100")}>
                  <p className="whitespace-pre-wrap break-words">{t.text}</p>
                  {t.handoff && <p className="mt-1.5 text-xs font-medium text-amber-700">In a real conversation the agent would hand over to a person here.</p>}
                </div>
              </div>
            ))
          )}
          {ask.isPending && <div className="flex items-center justify-end gap-2 text-xs text-slate-500"><Spinner />The agent is writing…</div>}
          {ask.error && (
            <p role="alert" className="rounded-md bg-red-50 p-3 text-sm text-red-700 ring-1 ring-red-200">
              {missing ? "The playground is not available on this server yet." : errorMessage(ask.error)}
            </p>
          )}
          <div ref={end} />
        </div>
      </div>
      {allowed && (
        <form onSubmit={submit} className="border-t border-slate-200 bg-white p-3">
          <div className="mx-auto flex max-w-3xl items-end gap-2">
            <Textarea aria-label="Message to the agent" rows={2} value={text} onChange={(e) => setText(e.target.value)} data-testid="playground-input"
              onKeyDown={(e) => { if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) { e.preventDefault(); submit(); } }}
              placeholder="Write as a customer…" className="max-h-40 resize-y" />
            <Button type="submit" disabled={!text.trim() || ask.isPending} aria-label="Send to the agent" className="h-10"><Send className="size-4" aria-hidden /><span className="hidden sm:inline">Send</span></Button>
          </div>
        </form>
      )}
    </div>
  );
}
