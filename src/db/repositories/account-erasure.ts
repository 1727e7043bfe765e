import { eq, or, sql } from "drizzle-orm";
import type { AccountStore } from "../../core/accounts/delete-account.js";
import type { DbOrTx } from "../client.js";
import { users, verifications } from "../schema/index.js";
import { listMemberships } from "./member-repository.js";

/** `LIKE` pattern that matches `text` anywhere, literally. */
const containing = (text: string) => `%${text.replace(/[\\%_]/g, "\\$&")}%`;

/** The store `deleteAccount` needs. Sessions, accounts and memberships cascade from the user row. */
export function accountStore(db: DbOrTx): AccountStore {
  return {
    portfoliosOf: (userId) => listMemberships(db, userId),
    async erase({ userId, email }) {
      return db.transaction(async (tx) => {
        // One-time values (sign-in links, OAuth state) carry the e-mail or the user id as a JSON
        // string: matched with its quotes, so that ann@x.test does not take joann@x.test's link.
        await tx
          .delete(verifications)
          .where(
            or(
              eq(verifications.identifier, email),
              eq(verifications.identifier, userId),
              eq(verifications.value, userId),
              sql`${verifications.value} ilike ${containing(JSON.stringify(email))}`,
              sql`${verifications.value} like ${containing(JSON.stringify(userId))}`,
            ),
          );
        const deleted = await tx.delete(users).where(eq(users.id, userId)).returning({ id: users.id });
        return deleted.length > 0;
      });
    },
  };
}
