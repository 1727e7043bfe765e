import { fileURLToPath } from "node:url";
import tailwindcss from "@tailwindcss/vite";
import react from "@vitejs/plugin-react";
import { defineConfig, type ProxyOptions } from "vite";

const root = fileURLToPath(new URL(".", import.meta.url));
// The API server `npm run dev` starts next to Vite (scripts/dev.mjs sets it).
const apiTarget = process.env.COSBOT_API_URL ?? "http://localhost:3000";

const toApi: ProxyOptions = { target: apiTarget, changeOrigin: false, ws: false };

export default defineConfig({
  root,
  plugins: [react(), tailwindcss()],
  build: { outDir: "dist", emptyOutDir: true, assetsDir: "assets" },
  server: {
    port: Number(process.env.VITE_PORT ?? 5173),
    strictPort: true,
    proxy: Object.fromEntries(["/api", "/webhooks", "/meta", "/privacy", "/data-deletion", "/healthz"].map((p) => [p, toApi])),
  },
});
