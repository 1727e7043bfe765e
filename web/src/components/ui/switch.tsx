import { cn } from "./cn";

/** A two-state switch: a real button with role="switch" so Space and Enter toggle it. */
export function Switch({ checked, onChange, label, disabled, className, ...rest }: {
  checked: boolean;
  onChange(next: boolean): void;
  label: string;
  disabled?: boolean;
  className?: string;
  "data-testid"?: string;
}) {
  return (
    <button
      type="button"
      role="switch"
      aria-checked={checked}
      aria-label={label}
      disabled={disabled}
      onClick={() => onChange(!checked)}
      className={cn(
        "relative inline-flex h-5 w-9 shrink-0 cursor-pointer rounded-full transition-colors focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600 disabled:cursor-not-allowed disabled:opacity-50",
        checked ? "bg-indigo-600" : "bg-slate-300",
        className,
      )}
      {...rest}
    >
      <span className={cn("pointer-events-none mt-0.5 inline-block size-4 rounded-full bg-white shadow transition-transform", checked ? "translate-x-4.5" : "translate-x-0.5")} />
    </button>
  );
}
