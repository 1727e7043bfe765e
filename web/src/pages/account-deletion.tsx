import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Button } from "../components/ui/button";
import { TypedConfirmDialog } from "../components/ui/dialog";
import { api, ApiError, errorMessage } from "../lib/api";
import { useSubmitMutation } from "../lib/queries";
import type { Me } from "../lib/types";

/**
 * Deleting one's own account (DELETE /api/me, typed e-mail). The server refuses (409) while the
 * user still belongs to a business and names them: that message is shown as it is.
 */
export function DeleteAccount({ me, compact = false }: { me: Me; compact?: boolean }) {
  const [open, setOpen] = useState(false);
  const qc = useQueryClient();
  const remove = useSubmitMutation({
    mutationFn: () => api("/api/me", { method: "DELETE", body: { confirm: me.user.email } }),
    onSuccess: () => { qc.clear(); window.location.assign("/sign-in"); },
  });
  const blocked = me.portfolios.length > 0;
  const error = remove.error instanceof ApiError && remove.error.status === 409
    ? `Not deleted: ${remove.error.message}.`
    : remove.error ? errorMessage(remove.error) : null;
  return (
    <>
      <Button variant={compact ? "ghost" : "danger-ghost"} size="sm" onClick={() => setOpen(true)} data-testid="account-delete">Delete my account</Button>
      <TypedConfirmDialog
        open={open}
        onClose={() => { setOpen(false); remove.reset(); }}
        title="Delete your account?"
        description={
          blocked
            ? <>You still belong to {me.portfolios.map((p) => `“${p.name}”`).join(", ")}. Leave each business (Settings → Members) or, as its owner, delete it first.</>
            : "Your account, every session (you are signed out everywhere) and your GitHub link are deleted. This cannot be undone."
        }
        phrase={me.user.email}
        confirmLabel="Delete my account"
        testId="account-delete"
        busy={remove.isPending}
        error={error}
        onConfirm={() => remove.mutate()}
      />
    </>
  );
}
