import type { ServerType } from "@hono/node-server";
import type { Cosbot } from "./compose.js";

/**
 * Graceful stop within `timeoutMs`: no new connections, webhooks in flight finish (so what was
 * acknowledged is stored), running work finishes or is released at the deadline for the next
 * process, then connections close. A stop that still hangs is cut off at the timeout.
 */
export async function shutDown(server: ServerType, cosbot: Cosbot, timeoutMs: number): Promise<void> {
  const { log } = cosbot;
  const cutOff = setTimeout(() => {
    log.error({ timeoutMs }, "shutdown did not finish in time; exiting anyway");
    process.exit(1);
  }, timeoutMs);
  cutOff.unref();
  // Some time is kept back for releasing leases and closing connections after the wait.
  const waitMs = Math.max(0, timeoutMs - Math.min(2000, Math.round(timeoutMs / 4)));
  const http = server as ServerType & { closeIdleConnections?(): void; closeAllConnections?(): void };
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  http.closeIdleConnections?.();
  // Live streams never end by themselves: end them now, or the wait below would always run out.
  cosbot.liveStreams.closeAll();
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, waitMs);
  });
  const [{ released }] = await Promise.all([cosbot.runner.stop(waitMs), Promise.race([closed, waited])]);
  clearTimeout(timer);
  http.closeAllConnections?.();
  await cosbot.close({ deadlineMs: 0 });
  log.info({ released }, released ? "stopped; unfinished work was released for the next process" : "stopped");
}
