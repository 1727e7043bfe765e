/** Names and URLs of the throw-away databases tests make on a real Postgres. */
export function templateDatabase(runId: number): string {
  return `cosbot_t${runId}_template`;
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
