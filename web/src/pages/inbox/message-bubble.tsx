import { AlertCircle, Bot, Check, CheckCheck, Clock, Contact, File, Film, Image, Info, MapPin, Mic, Package, Share2, Smile, Sticker, Trash2, HelpCircle, MousePointerClick } from "lucide-react";
import type { ComponentType } from "react";
import { cn } from "../../components/ui/cn";
import { clockTime, fullTime } from "../../lib/format";
import type { Message, MessageKind } from "../../lib/types";

const placeholders: Partial<Record<MessageKind, { icon: ComponentType<{ className?: string }>; label: string }>> = {
  image: { icon: Image, label: "Photo" },
  audio: { icon: Mic, label: "Voice message or audio" },
  video: { icon: Film, label: "Video" },
  document: { icon: File, label: "Document" },
  sticker: { icon: Sticker, label: "Sticker" },
  location: { icon: MapPin, label: "Location" },
  contacts: { icon: Contact, label: "Contact card" },
  interactive: { icon: MousePointerClick, label: "Button reply" },
  order: { icon: Package, label: "Order" },
  share: { icon: Share2, label: "Shared post" },
  reaction: { icon: Smile, label: "Reaction" },
  unsupported: { icon: HelpCircle, label: "Message type not supported" },
};

function StatusTick({ m, dark }: { m: Message; dark: boolean }) {
  const label = { queued: "Sending", sent: "Sent", delivered: "Delivered", read: "Read", failed: "Failed", received: "Received" }[m.status];
  const at = m.status === "read" ? m.readAt : m.status === "delivered" ? m.deliveredAt : m.status === "sent" ? m.sentAt : m.status === "failed" ? m.failedAt : null;
  const title = at ? `${label} ${fullTime(at)}` : label;
  const Icon = m.status === "queued" ? Clock : m.status === "sent" ? Check : m.status === "failed" ? AlertCircle : CheckCheck;
  return (
    <span title={title} data-testid="message-status" data-status={m.status} className={cn("inline-flex", m.status === "read" ? (dark ? "text-sky-300" : "text-sky-500") : m.status === "failed" ? (dark ? "text-red-200" : "text-red-500") : "opacity-70")}>
      <Icon className="size-3.5" aria-hidden />
      <span className="sr-only">{title}</span>
    </span>
  );
}

/** Who wrote it, as the inbox shows it: the customer, the AI, a named member, or the business's own app. */
function authorLabel(m: Message, memberName: (id: string | null) => string | undefined, agentName: string) {
  if (m.author === "customer") return null;
  if (m.author === "ai") return agentName ? `AI · ${agentName}` : "AI";
  if (m.author === "member") return memberName(m.authorMemberId) ?? "A team member";
  return "Business app";
}

export function MessageBubble({ m, memberName, agentName }: { m: Message; memberName(id: string | null): string | undefined; agentName: string }) {
  const out = m.direction === "out";
  if (m.kind === "system") {
    return (
      <li className="flex justify-center py-1" data-testid="message" data-message-id={m.id} data-kind="system">
        <span className="inline-flex items-center gap-1.5 rounded-full bg-slate-100 px-3 py-1 text-xs text-slate-500"><Info className="size-3" aria-hidden />{m.text ?? "System notice"}</span>
      </li>
    );
  }
  // A reaction is shown on the message it reacts to; its own row is a quiet line, not a bubble.
  if (m.kind === "reaction") {
    return (
      <li className={cn("flex px-1", out ? "justify-end" : "justify-start")} data-testid="message" data-message-id={m.id} data-author={m.author} data-status={m.status} data-kind="reaction">
        <span className="inline-flex items-center gap-1.5 text-xs text-slate-500">
          <Smile className="size-3.5" aria-hidden />{out ? "Reacted" : "Customer reacted"} <span className="text-sm">{m.text || "(removed)"}</span>
          <time dateTime={m.occurredAt} title={fullTime(m.occurredAt)} className="text-[11px] text-slate-400">{clockTime(m.occurredAt)}</time>
        </span>
      </li>
    );
  }
  const ph = m.kind !== "text" ? placeholders[m.kind] : undefined;
  // The server stores a bracketed stand-in ("[unsupported message: …]") as the text of what it cannot show.
  const text = ph && m.text && /^\[[^\]]*\]$/.test(m.text.trim()) ? null : m.text;
  const detailErrors = (m.details as { errors?: { title?: string; detail?: string }[] } | null)?.errors;
  const why = m.kind === "unsupported" ? detailErrors?.[0]?.detail ?? detailErrors?.[0]?.title : undefined;
  const author = authorLabel(m, memberName, agentName);
  const failure = m.status === "failed" ? [m.errorTitle, m.errorDetail].filter(Boolean).join(": ") || "Not delivered" : null;
  const tone =
    !out ? "bg-white text-slate-900 ring-1 ring-slate-200"
    : m.author === "ai" ? "bg-indigo-50 text-slate-900 ring-1 ring-indigo-100"
    : m.author === "member" ? "bg-indigo-600 text-white"
    : "bg-slate-700 text-white";
  return (
    <li className={cn("flex flex-col", out ? "items-end" : "items-start")} data-testid="message" data-message-id={m.id} data-author={m.author} data-status={m.status} data-kind={m.kind}>
      {author && (
        <span className="mb-0.5 inline-flex items-center gap-1 px-1 text-xs text-slate-500">
          {m.author === "ai" && <Bot className="size-3" aria-hidden />}{author}
        </span>
      )}
      <div className={cn("relative max-w-[85%] rounded-2xl px-3.5 py-2 text-sm shadow-sm sm:max-w-[70%]", tone, out ? "rounded-br-md" : "rounded-bl-md", m.deleted && "opacity-60", m.status === "failed" && "ring-2 ring-red-300")}>
        {m.deleted && (
          <p className={cn("mb-1 inline-flex items-center gap-1 text-xs font-medium", out && m.author !== "ai" ? "text-white/80" : "text-slate-500")}><Trash2 className="size-3" aria-hidden />Deleted by the customer</p>
        )}
        {ph && (
          <p className={cn("flex items-center gap-2 rounded-lg px-2 py-1.5 text-xs font-medium", out && m.author !== "ai" ? "bg-white/15" : "bg-slate-100 text-slate-600")}>
            <ph.icon className="size-4 shrink-0" aria-hidden />{ph.label}
          </p>
        )}
        {why && <p className="mt-1 text-xs text-slate-500">{why}</p>}
        {text && <p className={cn("whitespace-pre-wrap break-words", ph && "mt-1.5", m.deleted && "line-through")}>{text}</p>}
        {/* A failed AI reply is stored without text; its reason is the failure line below. */}
        {!text && !ph && <p className="italic opacity-70">{m.status !== "failed" ? "(empty message)" : m.author === "ai" ? "The agent could not answer" : "Not sent"}</p>}
        <p className={cn("mt-1 flex items-center justify-end gap-1 text-[11px]", out && m.author !== "ai" ? "text-white/75" : "text-slate-400")}>
          <time dateTime={m.occurredAt} title={fullTime(m.occurredAt)}>{clockTime(m.occurredAt)}</time>
          {out && <StatusTick m={m} dark={m.author !== "ai"} />}
        </p>
        {m.reaction && (
          <span className={cn("absolute -bottom-3 rounded-full bg-white px-1.5 text-sm shadow ring-1 ring-slate-200", out ? "left-2" : "right-2")} aria-label={`Customer reacted ${m.reaction}`} data-testid="message-reaction">{m.reaction}</span>
        )}
      </div>
      {failure && <p className="mt-1 flex max-w-[85%] items-start gap-1 px-1 text-xs text-red-600 sm:max-w-[70%]" data-testid="message-failure"><AlertCircle className="mt-0.5 size-3 shrink-0" aria-hidden />{failure}</p>}
      {m.reaction && <span className="h-3" aria-hidden />}
    </li>
  );
}
