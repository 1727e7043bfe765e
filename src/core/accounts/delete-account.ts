import { AppError } from "../errors.js";

export interface AccountStore {
  /** The portfolios the user still belongs to. */
  portfoliosOf(userId: string): Promise<{ portfolioId: string; name: string; role: string }[]>;
  /** Deletes the user with their sessions, sign-in identities and one-time values; false when gone. */
  erase(user: { userId: string; email: string }): Promise<boolean>;
}

/**
 * A user deletes their own account once they typed their e-mail address. Portfolios hold other
 * people's data, so the user first leaves or deletes each one they belong to; then the account
 * goes with every session (signed out everywhere) and GitHub link.
 */
export async function deleteAccount(request: { userId: string; email: string; confirm: string | undefined }, deps: { store: AccountStore }): Promise<{ deleted: true }> {
  const left = await deps.store.portfoliosOf(request.userId);
  if (left.length) {
    const names = left.map((p) => `"${p.name}" (${p.portfolioId}, ${p.role})`).join(", ");
    throw new AppError("conflict", `leave or delete these portfolios first: ${names}`);
  }
  if (request.confirm?.trim().toLowerCase() !== request.email.toLowerCase()) {
    const said = request.confirm === undefined ? "no confirmation was given" : "the confirmation does not match";
    throw new AppError("bad_request", `${said}: send { "confirm": ${JSON.stringify(request.email)} }, your e-mail address, to delete your account`, [
      { field: "body.confirm", message: `must be ${JSON.stringify(request.email)}` },
    ]);
  }
  if (!(await deps.store.erase({ userId: request.userId, email: request.email }))) throw new AppError("not_found", "the account is already gone");
  return { deleted: true };
}
