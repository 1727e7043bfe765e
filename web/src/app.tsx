import { Navigate, Route, Routes, useLocation, useParams } from "react-router";
import { AppShell } from "./layout/app-shell";
import { ApiError } from "./lib/api";
import { useMe } from "./lib/queries";
import { Logo } from "./components/logo";
import { ErrorState, Loading } from "./components/ui/states";

/** The app cannot start (the server is away): say so on a page of its own, with a retry. */
function StartError({ error, onRetry }: { error: unknown; onRetry(): void }) {
  return (
    <main className="flex h-full flex-col items-center justify-center gap-2 px-4">
      <Logo />
      <ErrorState error={error} onRetry={onRetry} className="pt-4" />
    </main>
  );
}
import { SignInPage } from "./pages/sign-in";
import { CreatePortfolioPage } from "./pages/create-portfolio";
import { GettingStartedPage } from "./pages/getting-started";
import { InboxPage } from "./pages/inbox/inbox-page";
import { SettingsPage } from "./pages/settings/settings-page";
import { PlaygroundPage } from "./pages/playground";

/** Signed-out visitors go to /sign-in; signed-in ones without a portfolio name one first. */
function Home() {
  const me = useMe();
  const { search } = useLocation();
  if (me.isPending) return <Loading className="h-full" />;
  // A failed sign-in comes back to / with ?error=CODE: the sign-in page explains it.
  if (me.error instanceof ApiError && me.error.status === 401) return <Navigate to={`/sign-in${search}`} replace />;
  if (me.error) return <StartError error={me.error} onRetry={() => void me.refetch()} />;
  const first = me.data.portfolios[0];
  if (!first) return <Navigate to="/welcome" replace />;
  const last = localStorage.getItem("cosbot.portfolio");
  const pick = me.data.portfolios.find((p) => p.id === last) ?? first;
  return <Navigate to={`/p/${pick.id}/inbox`} replace />;
}

function Portfolio() {
  const { pid } = useParams();
  const me = useMe();
  if (me.isPending) return <Loading className="h-full" />;
  if (me.error instanceof ApiError && me.error.status === 401) return <Navigate to="/sign-in" replace />;
  if (me.error) return <StartError error={me.error} onRetry={() => void me.refetch()} />;
  const portfolio = me.data.portfolios.find((p) => p.id === pid);
  if (!portfolio) return <Navigate to="/" replace />;
  localStorage.setItem("cosbot.portfolio", portfolio.id);
  return (
    <AppShell me={me.data} portfolio={portfolio}>
      <Routes>
        <Route path="start" element={<GettingStartedPage portfolio={portfolio} />} />
        <Route path="inbox/*" element={<InboxPage portfolio={portfolio} me={me.data} />} />
        <Route path="settings/*" element={<SettingsPage portfolio={portfolio} me={me.data} />} />
        <Route path="playground" element={<PlaygroundPage portfolio={portfolio} />} />
        <Route path="*" element={<Navigate to={`/p/${portfolio.id}/inbox`} replace />} />
      </Routes>
    </AppShell>
  );
}

export function App() {
  return (
    <Routes>
      <Route path="/" element={<Home />} />
      <Route path="/sign-in" element={<SignInPage />} />
      <Route path="/welcome" element={<CreatePortfolioPage />} />
      <Route path="/p/:pid/*" element={<Portfolio />} />
      <Route path="*" element={<Navigate to="/" replace />} />
    </Routes>
  );
}
