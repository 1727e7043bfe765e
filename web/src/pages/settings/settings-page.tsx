import { Navigate, Route, Routes } from "react-router";
import { LinkTabs } from "../../components/ui/tabs";
import type { Me, PortfolioRef } from "../../lib/types";
import { AgentSettings } from "./agent-settings";
import { ChannelSettings } from "./channel-settings";
import { DangerZone } from "./danger-zone";
import { GeneralSettings } from "./general-settings";
import { MemberSettings } from "./member-settings";

export function SettingsPage({ portfolio, me }: { portfolio: PortfolioRef; me: Me }) {
  const base = `/p/${portfolio.id}/settings`;
  return (
    <div className="mx-auto w-full max-w-3xl px-4 py-6 sm:py-8">
      <h1 className="text-xl font-semibold">Settings</h1>
      <p className="mt-1 text-sm text-slate-500">{portfolio.name} · you are {portfolio.role === "agent" ? "an agent" : `the ${portfolio.role}`}</p>
      <div className="mt-5">
        <LinkTabs
          label="Settings sections"
          tabs={[
            { to: `${base}/channels`, label: "Channels" },
            { to: `${base}/agent`, label: "AI agent" },
            { to: `${base}/members`, label: "Members" },
            { to: `${base}/business`, label: "Business" },
          ]}
        />
      </div>
      <div className="mt-6">
        <Routes>
          <Route path="channels" element={<ChannelSettings portfolio={portfolio} />} />
          <Route path="agent" element={<AgentSettings portfolio={portfolio} />} />
          <Route path="members" element={<MemberSettings portfolio={portfolio} me={me} />} />
          <Route path="business" element={<div className="space-y-6"><GeneralSettings portfolio={portfolio} /><DangerZone portfolio={portfolio} me={me} /></div>} />
          <Route path="*" element={<Navigate to={`${base}/channels`} replace />} />
        </Routes>
      </div>
    </div>
  );
}
