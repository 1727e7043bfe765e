import { AppError } from "../errors.js";
import { can, type Role } from "../tenancy/policy.js";

/**
 * The limits on managing members, beyond the role's `members:manage` permission: admins manage
 * admins and agents but never owners, and a portfolio always keeps at least one owner.
 * Each check throws an AppError; `owners` is the portfolio's owner count, read under lock.
 */

/** The guard checked the role already; this repeats it on the role read under lock. */
function checkManager(actor: Role): void {
  if (!can(actor, "members:manage")) throw new AppError("forbidden", `a member with role ${actor} may not manage members`);
}

export function checkInvite(actor: Role, role: Role): void {
  checkManager(actor);
  if (role === "owner" && actor !== "owner") throw new AppError("forbidden", "only an owner may invite an owner");
}

export function checkRoleChange(actor: Role, target: Role, to: Role, owners: number): void {
  checkManager(actor);
  if (actor !== "owner" && target === "owner") throw new AppError("forbidden", "only an owner may change an owner's role");
  if (actor !== "owner" && to === "owner") throw new AppError("forbidden", "only an owner may make a member owner");
  if (target === "owner" && to !== "owner" && owners <= 1) {
    throw new AppError("conflict", "this is the last owner; make another member owner first");
  }
}

export function checkRemoval(actor: Role, target: Role, owners: number): void {
  checkManager(actor);
  if (actor !== "owner" && target === "owner") throw new AppError("forbidden", "only an owner may remove an owner");
  if (target === "owner" && owners <= 1) throw new AppError("conflict", "this is the last owner; make another member owner first");
}

export function checkLeave(self: Role, owners: number): void {
  if (self === "owner" && owners <= 1) {
    throw new AppError("conflict", "you are the last owner and may not leave; make another member owner first");
  }
}
