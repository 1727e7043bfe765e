import type { Role } from "../tenancy/policy.js";

interface NoteAuthor {
  authorMemberId: string | null;
}

/**
 * Only the author edits a note: it keeps their name, so nobody else may put words under it.
 * Owners and admins may also delete others' notes (notes of members who left included).
 */
export function mayEditNote(member: { memberId: string }, note: NoteAuthor): boolean {
  return note.authorMemberId === member.memberId;
}

export function mayDeleteNote(member: { memberId: string; role: Role }, note: NoteAuthor): boolean {
  return mayEditNote(member, note) || member.role === "owner" || member.role === "admin";
}
