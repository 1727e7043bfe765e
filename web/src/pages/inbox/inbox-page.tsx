import { MessagesSquare } from "lucide-react";
import { useState } from "react";
import { Route, Routes, useParams } from "react-router";
import { cn } from "../../components/ui/cn";
import { EmptyState } from "../../components/ui/states";
import type { ConversationFilter } from "../../lib/queries";
import type { Me, PortfolioRef } from "../../lib/types";
import { ConversationList } from "./conversation-list";
import { ConversationView } from "./conversation-view";
import { CustomerPanel } from "./customer-panel";

type View = "list" | "conversation" | "customer";

/**
 * Three panes on a wide screen (list, thread, customer); on a phone one at a time, each with a
 * back button; in between, the list and either the thread or the customer.
 */
function Panes({ view, pid, me, portfolio, filter, onFilter }: { view: View; pid: string; me: Me; portfolio: PortfolioRef; filter: ConversationFilter; onFilter(f: ConversationFilter): void }) {
  const { cid } = useParams();
  const base = `/p/${pid}/inbox`;
  return (
    <div className="flex h-full min-h-0 flex-1">
      <div className={cn("min-h-0 w-full border-r border-slate-200 bg-white md:w-80 md:shrink-0 xl:w-88", view === "list" ? "block" : view === "conversation" ? "hidden md:block" : "hidden md:block lg:hidden 2xl:block")}>
        <ConversationList pid={pid} base={base} filter={filter} onFilter={onFilter} />
      </div>
      {cid ? (
        <>
          <div className={cn("min-h-0 min-w-0 flex-1", view === "conversation" ? "block" : "hidden lg:block")}>
            <ConversationView pid={pid} cid={cid} base={base} showPanelLink panelOpen={view === "customer"} />
          </div>
          {/* Always beside the thread on a wide screen; below that, opened with the header's toggle (in place of the list, so the thread keeps its width). */}
          <div className={cn("min-h-0 w-full border-l border-slate-200 md:w-auto md:flex-1 lg:w-80 lg:flex-none 2xl:block", view === "customer" ? "block" : "hidden")}>
            <CustomerPanel pid={pid} cid={cid} base={base} me={me} portfolio={portfolio} />
          </div>
        </>
      ) : (
        <div className="hidden min-w-0 flex-1 items-center justify-center bg-slate-50 md:flex">
          <EmptyState icon={<MessagesSquare className="size-5" />} title="Pick a conversation">Select a conversation on the left to read it and reply.</EmptyState>
        </div>
      )}
    </div>
  );
}

export function InboxPage({ portfolio, me }: { portfolio: PortfolioRef; me: Me }) {
  const [filter, setFilter] = useState<ConversationFilter>({});
  const props = { pid: portfolio.id, me, portfolio, filter, onFilter: setFilter };
  return (
    <Routes>
      <Route index element={<Panes view="list" {...props} />} />
      <Route path=":cid" element={<Panes view="conversation" {...props} />} />
      <Route path=":cid/customer" element={<Panes view="customer" {...props} />} />
    </Routes>
  );
}
