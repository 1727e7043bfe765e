import { Bot, CheckCircle2, Circle, MessageSquare, Plug, Users } from "lucide-react";
import type { ReactNode } from "react";
import { Link } from "react-router";
import { Card } from "../components/ui/card";
import { Loading } from "../components/ui/states";
import { useAgent, useChannels, useConversations, useMembers } from "../lib/queries";
import type { PortfolioRef } from "../lib/types";

function Step({ done, icon, title, children, to, action }: { done: boolean; icon: ReactNode; title: string; children: ReactNode; to: string; action: string }) {
  return (
    <li className="flex gap-4 px-5 py-4">
      <span className={done ? "text-emerald-600" : "text-slate-300"} aria-label={done ? "Done" : "To do"}>
        {done ? <CheckCircle2 className="size-5" /> : <Circle className="size-5" />}
      </span>
      <div className="min-w-0 flex-1">
        <p className="flex items-center gap-2 text-sm font-medium text-slate-900">{icon}{title}</p>
        <p className="mt-1 text-sm text-slate-500">{children}</p>
      </div>
      <Link to={to} className="self-center whitespace-nowrap rounded-md px-3 py-1.5 text-sm font-medium text-indigo-700 ring-1 ring-indigo-200 hover:bg-indigo-50 focus-visible:outline-2 focus-visible:outline-indigo-600">
        {done ? "Review" : action}
      </Link>
    </li>
  );
}

/** What to do next after naming the business, each step checked against the real state. */
export function GettingStartedPage({ portfolio }: { portfolio: PortfolioRef }) {
  const pid = portfolio.id;
  const channels = useChannels(pid);
  const agent = useAgent(pid);
  const members = useMembers(pid);
  const conversations = useConversations(pid, {});
  if (channels.isPending || agent.isPending) return <Loading />;
  const hasChannel = !!channels.data?.channels.some((c) => c.state === "active");
  // A new business gets a generic agent ("Assistant" with stock instructions): set up means made its own.
  const a = agent.data?.agent;
  const agentReady = !!a && (a.name !== "Assistant" || !a.instructions.startsWith("You are the customer-service assistant of "));
  const hasTeam = (members.data?.members.length ?? 0) + (members.data?.invitations.length ?? 0) > 1;
  const hasConversation = !!conversations.data?.pages[0]?.conversations.length;
  const done = [hasChannel, agentReady, hasTeam, hasConversation].filter(Boolean).length;
  return (
    <div className="mx-auto w-full max-w-2xl px-4 py-8">
      <h1 className="text-xl font-semibold">Set up {portfolio.name}</h1>
      <p className="mt-1 text-sm text-slate-500">{done} of 4 done. Connect where your customers write, tell the agent how to answer, and try it before anyone else does.</p>
      <div className="mt-3 h-1.5 w-full overflow-hidden rounded-full bg-slate-200" role="progressbar" aria-valuemin={0} aria-valuemax={4} aria-valuenow={done} aria-label="Setup progress">
        <div className="h-full bg-indigo-600 transition-all" style={{ width: `${(done / 4) * 100}%` }} />
      </div>
      <Card className="mt-6">
        <ol className="divide-y divide-slate-100">
          <Step done={hasChannel} icon={<Plug className="size-4 text-slate-400" />} title="Connect a channel" to={`/p/${pid}/settings/channels`} action="Connect">
            Add a WhatsApp number, a Facebook Page or an Instagram account. You need its id and an access token from Meta.
          </Step>
          <Step done={agentReady} icon={<Bot className="size-4 text-slate-400" />} title="Set up the agent" to={`/p/${pid}/settings/agent`} action="Set up">
            Give it a name and instructions: what you sell, opening hours, tone, when to hand over to a person. Then try it in the playground.
          </Step>
          <Step done={hasTeam} icon={<Users className="size-4 text-slate-400" />} title="Invite your team" to={`/p/${pid}/settings/members`} action="Invite">
            Invite colleagues by GitHub login or e-mail; they join when they sign in.
          </Step>
          <Step done={hasConversation} icon={<MessageSquare className="size-4 text-slate-400" />} title="Receive the first message" to={`/p/${pid}/inbox`} action="Open inbox">
            When a customer writes, the conversation appears in the inbox at once; the agent answers unless you take over.
          </Step>
        </ol>
      </Card>
      <p className="mt-4 text-sm text-slate-500">
        Want to see the agent first? <Link className="font-medium text-indigo-700 underline" to={`/p/${pid}/playground`}>Open the playground</Link>: nothing you write there reaches a customer.
      </p>
    </div>
  );
}
