import { useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Button } from "../../components/ui/button";
import { Card, CardBody, CardHeader } from "../../components/ui/card";
import { Field, Input } from "../../components/ui/input";
import { useToast } from "../../components/ui/toast";
import { api, errorMessage } from "../../lib/api";
import { keys, useSubmitMutation } from "../../lib/queries";
import { type PortfolioRef, portfolioNameMax } from "../../lib/types";

export function GeneralSettings({ portfolio }: { portfolio: PortfolioRef }) {
  const [name, setName] = useState(portfolio.name);
  const qc = useQueryClient();
  const toast = useToast();
  const rename = useSubmitMutation({
    mutationFn: (n: string) => api(`/api/portfolios/${portfolio.id}`, { method: "PATCH", body: { name: n } }),
    onSuccess: async () => { await qc.invalidateQueries({ queryKey: keys.me }); toast("ok", "Renamed."); },
  });
  const mayRename = portfolio.role === "owner" || portfolio.role === "admin";
  const submit = (e: FormEvent) => { e.preventDefault(); if (name.trim()) rename.mutate(name.trim()); };
  return (
    <Card>
      <CardHeader title="Business" description="The name your team sees. Customers never see it." />
      <CardBody>
        <form onSubmit={submit} className="flex flex-col gap-3 sm:flex-row sm:items-end">
          <div className="flex-1">
            <Field label="Business name" error={rename.error ? errorMessage(rename.error) : undefined} hint={mayRename ? undefined : "Only an owner or admin can rename the business."}>
              {(id) => <Input id={id} value={name} maxLength={portfolioNameMax} disabled={!mayRename} onChange={(e) => setName(e.target.value)} />}
            </Field>
          </div>
          {mayRename && <Button type="submit" disabled={!name.trim() || name.trim() === portfolio.name || rename.isPending}>Save</Button>}
        </form>
      </CardBody>
    </Card>
  );
}
