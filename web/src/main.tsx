import { QueryCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router";
import { App } from "./app";
import { ToastProvider } from "./components/ui/toast";
import { ApiError } from "./lib/api";
import "./index.css";

const queryClient = new QueryClient({
  // A session that ends while the app is open (expired, signed out elsewhere): back to sign-in.
  // GET /api/me answering 401 is the normal signed-out case, handled by the routes themselves.
  queryCache: new QueryCache({
    onError: (error, query) => {
      if (error instanceof ApiError && error.status === 401 && query.queryKey[0] !== "me") window.location.assign("/sign-in");
    },
  }),
  defaultOptions: {
    queries: {
      staleTime: 10_000,
      // 4xx answers are final (the API said why); retry only network and server trouble.
      retry: (count, error) => count < 2 && !(error instanceof ApiError && error.status >= 400 && error.status < 500),
    },
  },
});

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <ToastProvider>
        <BrowserRouter>
          <App />
        </BrowserRouter>
      </ToastProvider>
    </QueryClientProvider>
  </StrictMode>,
);
