import type { ReactNode } from "react";
import { AlertTriangle, Loader2 } from "lucide-react";
import { errorMessage } from "../../lib/api";
import { Button } from "./button";
import { cn } from "./cn";

export function Spinner({ className }: { className?: string }) {
  return <Loader2 aria-hidden className={cn("size-4 animate-spin text-slate-400", className)} />;
}

export function Loading({ label = "Loading…", className }: { label?: string; className?: string }) {
  return (
    <div role="status" className={cn("flex items-center justify-center gap-2 p-8 text-sm text-slate-500", className)}>
      <Spinner /> {label}
    </div>
  );
}

export function ErrorState({ error, onRetry, className }: { error: unknown; onRetry?(): void; className?: string }) {
  return (
    <div role="alert" className={cn("flex flex-col items-center gap-3 p-8 text-center", className)}>
      <AlertTriangle className="size-6 text-amber-500" aria-hidden />
      <p className="max-w-sm text-sm text-slate-700">{errorMessage(error)}</p>
      {onRetry && <Button variant="secondary" size="sm" onClick={onRetry}>Try again</Button>}
    </div>
  );
}

export function EmptyState({ icon, title, children, className }: { icon?: ReactNode; title: string; children?: ReactNode; className?: string }) {
  return (
    <div className={cn("flex flex-col items-center gap-2 p-8 text-center", className)}>
      {icon && <div className="mb-1 flex size-10 items-center justify-center rounded-full bg-slate-100 text-slate-500">{icon}</div>}
      <p className="text-sm font-medium text-slate-900">{title}</p>
      {children && <div className="max-w-sm text-sm text-slate-500">{children}</div>}
    </div>
  );
}
