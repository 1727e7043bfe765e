import { MessageSquare } from "lucide-react";

export function Logo({ withName = true }: { withName?: boolean }) {
  return (
    <span className="inline-flex items-center gap-2 font-semibold text-slate-900">
      <span className="flex size-7 items-center justify-center rounded-lg bg-indigo-600 text-white"><MessageSquare className="size-4" aria-hidden /></span>
      {withName && <span>Cosbot</span>}
    </span>
  );
}
