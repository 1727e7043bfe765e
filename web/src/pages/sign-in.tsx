import { Terminal } from "lucide-react";
import { GithubMark as Github } from "../components/brand-icons";
import { Navigate, useSearchParams } from "react-router";
import { Logo } from "../components/logo";
import { Button } from "../components/ui/button";
import { Card } from "../components/ui/card";
import { Spinner } from "../components/ui/states";
import { api, ApiError, errorMessage } from "../lib/api";
import { useMe, useSubmitMutation } from "../lib/queries";

/** better-auth's redirect codes (…?error=CODE) in words. */
const linkErrors: Record<string, string> = {
  INVALID_TOKEN: "That sign-in link was already used or has expired. Restart the server for a new one.",
  EXPIRED_TOKEN: "That sign-in link has expired. Restart the server for a new one.",
};

function signInError(error: unknown): string {
  if (error instanceof ApiError && error.code === "PROVIDER_NOT_FOUND") {
    return "GitHub sign-in is not set up on this server (GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET). Use the one-time link the server printed instead.";
  }
  return errorMessage(error);
}

export function SignInPage() {
  const me = useMe();
  const [params] = useSearchParams();
  const linkError = params.get("error");
  const signIn = useSubmitMutation({
    mutationFn: () => api<{ url?: string }>("/api/auth/sign-in/social", { method: "POST", body: { provider: "github", callbackURL: "/" } }),
    onSuccess: (res) => {
      if (res.url) window.location.assign(res.url);
    },
  });
  if (me.data) return <Navigate to="/" replace />;
  return (
    <main className="flex min-h-full items-center justify-center px-4 py-12">
      <div className="w-full max-w-sm">
        <div className="mb-8 flex justify-center"><Logo /></div>
        <Card className="p-6">
          <h1 className="text-lg font-semibold text-slate-900">Sign in to your inbox</h1>
          <p className="mt-1 text-sm text-slate-500">Answer your customers on WhatsApp, Messenger and Instagram, with an AI agent at your side.</p>
          <Button className="mt-6 w-full justify-center" onClick={() => signIn.mutate()} disabled={signIn.isPending || signIn.isSuccess} data-testid="sign-in-github">
            {signIn.isPending || signIn.isSuccess ? <Spinner className="text-white" /> : <Github className="size-4" aria-hidden />}
            Sign in with GitHub
          </Button>
          {signIn.error && <p role="alert" className="mt-3 text-sm text-red-600">{signInError(signIn.error)}</p>}
          {linkError && !signIn.error && <p role="alert" className="mt-3 text-sm text-red-600">{linkErrors[linkError] ?? `Sign-in failed (${linkError.replaceAll("_", " ").toLowerCase()}). Please try again.`}</p>}
          <div className="mt-6 flex gap-3 rounded-md bg-slate-50 p-3 text-xs text-slate-600 ring-1 ring-slate-200">
            <Terminal className="mt-0.5 size-4 shrink-0 text-slate-400" aria-hidden />
            <p>Running Cosbot on your own computer without GitHub? The server prints a one-time sign-in link in its terminal when it starts. Open that link in this browser.</p>
          </div>
        </Card>
        <p className="mt-6 text-center text-xs text-slate-500">
          <a className="underline hover:text-slate-800" href="/privacy">Privacy policy</a>
          <span aria-hidden> · </span>
          <a className="underline hover:text-slate-800" href="/data-deletion">Data deletion</a>
        </p>
      </div>
    </main>
  );
}
