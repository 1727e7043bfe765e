import { useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Navigate, useNavigate } from "react-router";
import { Logo } from "../components/logo";
import { Button } from "../components/ui/button";
import { Card } from "../components/ui/card";
import { Field, Input } from "../components/ui/input";
import { Loading } from "../components/ui/states";
import { DeleteAccount } from "./account-deletion";
import { api, ApiError, errorMessage } from "../lib/api";
import { keys, useMe, useSubmitMutation } from "../lib/queries";
import { type PortfolioRef, portfolioNameMax } from "../lib/types";

/** Onboarding: name the business (a portfolio); also reachable later to add another one. */
export function CreatePortfolioPage() {
  const me = useMe();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [name, setName] = useState("");
  const create = useSubmitMutation({
    mutationFn: (n: string) => api<{ portfolio: PortfolioRef }>("/api/portfolios", { method: "POST", body: { name: n } }),
    onSuccess: async ({ portfolio }) => {
      await qc.invalidateQueries({ queryKey: keys.me });
      navigate(`/p/${portfolio.id}/start`);
    },
  });
  if (me.isPending) return <Loading className="h-full" />;
  if (me.error instanceof ApiError && me.error.status === 401) return <Navigate to="/sign-in" replace />;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (name.trim()) create.mutate(name.trim());
  };
  const first = !me.data?.portfolios.length;
  return (
    <main className="flex min-h-full items-center justify-center px-4 py-12">
      <div className="w-full max-w-md">
        <div className="mb-8 flex justify-center"><Logo /></div>
        <Card className="p-6">
          <h1 className="text-lg font-semibold">{first ? `Welcome${me.data?.user.name ? `, ${me.data.user.name}` : ""}` : "Add a business"}</h1>
          <p className="mt-1 text-sm text-slate-500">Name your business. Its channels, agent, team and conversations live together under this name; you can rename it later.</p>
          <form onSubmit={submit} className="mt-6 space-y-4">
            <Field label="Business name" hint={`${name.length} of ${portfolioNameMax} characters`} error={create.error ? errorMessage(create.error) : undefined}>
              {(id) => <Input id={id} autoFocus required maxLength={portfolioNameMax} value={name} onChange={(e) => setName(e.target.value)} placeholder="Acme Bakery" data-testid="portfolio-name" />}
            </Field>
            <div className="flex justify-end gap-2">
              {!first && <Button variant="secondary" onClick={() => navigate(-1)}>Cancel</Button>}
              <Button type="submit" disabled={!name.trim() || create.isPending}>{create.isPending ? "Creating…" : "Continue"}</Button>
            </div>
          </form>
        </Card>
        {first && me.data && (
          <div className="mt-6 flex items-center justify-center gap-2 text-xs text-slate-500">
            <span>Signed in as {me.data.user.email}.</span>
            <DeleteAccount me={me.data} compact />
          </div>
        )}
      </div>
    </main>
  );
}
