import { type ReactNode, useEffect, useId, useRef, useState } from "react";
import { X } from "lucide-react";
import { Button } from "./button";
import { cn } from "./cn";
import { Input } from "./input";

/**
 * A modal on the native <dialog>: focus is trapped and Escape closes it by the browser itself.
 * `side` turns it into a sheet sliding from the right.
 */
export function Dialog({ open, onClose, title, description, children, footer, side = false }: {
  open: boolean;
  onClose(): void;
  title: string;
  description?: ReactNode;
  children?: ReactNode;
  footer?: ReactNode;
  side?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      onClose={onClose}
      onCancel={(e) => { e.preventDefault(); onClose(); }}
      onClick={(e) => { if (e.target === ref.current) onClose(); }}
      aria-labelledby="dialog-title"
      className={cn(
        "backdrop:bg-slate-900/40 p-0 bg-white shadow-xl text-slate-900",
        side
          ? "ml-auto mr-0 my-0 h-dvh max-h-dvh w-full max-w-md"
          : "m-auto w-[calc(100%-2rem)] max-w-lg rounded-xl",
      )}
    >
      {open && (
        <div className={cn("flex flex-col", side && "h-full")}>
          <div className="flex items-start justify-between gap-4 border-b border-slate-100 px-5 py-4">
            <div>
              <h2 id="dialog-title" className="text-base font-semibold">{title}</h2>
              {description && <div className="mt-1 text-sm text-slate-500">{description}</div>}
            </div>
            <Button variant="ghost" size="icon" aria-label="Close" onClick={onClose}><X className="size-4" /></Button>
          </div>
          <div className={cn("px-5 py-4", side && "flex-1 overflow-y-auto")}>{children}</div>
          {footer && <div className="flex justify-end gap-2 border-t border-slate-100 bg-slate-50 px-5 py-3 rounded-b-xl">{footer}</div>}
        </div>
      )}
    </dialog>
  );
}

/** "Are you sure?" with the consequence spelled out. */
export function ConfirmDialog({ open, onClose, onConfirm, title, description, confirmLabel, busy, error }: {
  open: boolean;
  onClose(): void;
  onConfirm(): void;
  title: string;
  description: ReactNode;
  confirmLabel: string;
  busy?: boolean;
  error?: string | null;
}) {
  return (
    <Dialog
      open={open}
      onClose={onClose}
      title={title}
      footer={
        <>
          <Button variant="secondary" onClick={onClose}>Cancel</Button>
          <Button variant="danger" onClick={onConfirm} disabled={busy}>{busy ? "Working…" : confirmLabel}</Button>
        </>
      }
    >
      <div className="text-sm text-slate-600">{description}</div>
      {error && <p role="alert" className="mt-3 text-sm text-red-600">{error}</p>}
    </Dialog>
  );
}

/** A confirmation for what cannot be undone: the button only works once `phrase` is typed exactly. */
export function TypedConfirmDialog({ open, onClose, onConfirm, title, description, phrase, confirmLabel, busy, error, children, testId }: {
  open: boolean;
  onClose(): void;
  onConfirm(): void;
  title: string;
  description: ReactNode;
  phrase: string;
  confirmLabel: string;
  busy?: boolean;
  error?: string | null;
  children?: ReactNode;
  testId?: string;
}) {
  const [typed, setTyped] = useState("");
  const id = useId();
  const matches = typed.trim() === phrase;
  const close = () => { setTyped(""); onClose(); };
  return (
    <Dialog
      open={open}
      onClose={close}
      title={title}
      footer={
        <>
          <Button variant="secondary" onClick={close}>Cancel</Button>
          <Button variant="danger" type="submit" form={id + "form"} disabled={!matches || busy} data-testid={testId && `${testId}-confirm`}>{busy ? "Working…" : confirmLabel}</Button>
        </>
      }
    >
      <form id={id + "form"} onSubmit={(e) => { e.preventDefault(); if (matches && !busy) onConfirm(); }} className="space-y-3">
        <div className="text-sm text-slate-600">{description}</div>
        <div className="space-y-1.5">
          <label htmlFor={id} className="block text-sm font-medium text-slate-700">Type <span className="rounded bg-slate-100 px-1 font-mono text-slate-900">{phrase}</span> to confirm</label>
          <Input id={id} value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" spellCheck={false} autoFocus data-testid={testId && `${testId}-input`} />
        </div>
        {error && <p role="alert" className="text-sm text-red-600">{error}</p>}
        {children}
      </form>
    </Dialog>
  );
}
