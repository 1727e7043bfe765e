import { type InputHTMLAttributes, type TextareaHTMLAttributes, type SelectHTMLAttributes, type LabelHTMLAttributes, type ReactNode, useId } from "react";
import { cn } from "./cn";

const field =
  "block rounded-md border-0 bg-white text-sm text-slate-900 shadow-sm ring-1 ring-inset ring-slate-300 placeholder:text-slate-400 focus:ring-2 focus:ring-inset focus:ring-indigo-600 focus:outline-none disabled:cursor-not-allowed disabled:bg-slate-50 disabled:text-slate-500";

/** Defaults a caller's className may replace (no class merging library: a given w-/h- wins by leaving ours out). */
const sized = (className: string | undefined, defaults: { w?: string; h?: string }) => {
  const has = (prefix: string) => new RegExp(`(^|\\s)(\\w+:)?${prefix}-`).test(className ?? "");
  return cn(!has("w") && !has("flex") && (defaults.w ?? "w-full"), defaults.h && !has("h") && defaults.h);
};

export function Input({ className, ...props }: InputHTMLAttributes<HTMLInputElement>) {
  return <input className={cn(field, sized(className, { h: "h-9" }), "px-3", className)} {...props} />;
}

export function Textarea({ className, ...props }: TextareaHTMLAttributes<HTMLTextAreaElement>) {
  return <textarea className={cn(field, sized(className, {}), "px-3 py-2", className)} {...props} />;
}

export function Select({ className, ...props }: SelectHTMLAttributes<HTMLSelectElement>) {
  return <select className={cn(field, "ui-select", sized(className, { h: "h-9" }), "pl-3 pr-8", className)} {...props} />;
}

export function Label({ className, ...props }: LabelHTMLAttributes<HTMLLabelElement>) {
  return <label className={cn("block text-sm font-medium text-slate-700", className)} {...props} />;
}

/** A labelled control with an optional hint and error; the control gets the generated id. */
export function Field({ label, hint, error, children }: { label: string; hint?: ReactNode; error?: string; children: (id: string) => ReactNode }) {
  const id = useId();
  return (
    <div className="space-y-1.5">
      <Label htmlFor={id}>{label}</Label>
      {children(id)}
      {hint && !error && <p className="text-xs text-slate-500">{hint}</p>}
      {error && <p className="text-xs text-red-600">{error}</p>}
    </div>
  );
}
