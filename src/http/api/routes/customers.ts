import { z } from "zod";
import { mayDeleteNote, mayEditNote } from "../../../core/conversations/note-rules.js";
import { eraseCustomer } from "../../../core/customers/erase-customer.js";
import { exportCustomer } from "../../../core/customers/export-customer.js";
import { AppError } from "../../../core/errors.js";
import type { Platform } from "../../../core/events.js";
import { type Customer, findCustomer } from "../../../db/repositories/conversation-repository.js";
import { PgCustomerRightsStore } from "../../../db/repositories/customer-rights-repository.js";
import { addNote, deleteNote, findNote, listNotes, type Note, updateNote } from "../../../db/repositories/note-repository.js";
import type { ApiDeps } from "../deps.js";
import { id } from "../params.js";
import { route } from "../route.js";

const customerParams = z.object({ portfolioId: id, customerId: id });
const noteParams = customerParams.extend({ noteId: z.string().regex(/^\d{1,15}$/, "must be a note id").transform(Number) });
/** Erasing cannot be undone, so the caller types the word (a stray DELETE erases nothing). */
const eraseBody = z
  .object({ confirm: z.literal("erase", { error: 'must be "erase": type it to confirm that the customer and all their conversations, messages and notes are removed for good' }) })
  .strict();
const noteBody = z.object({ body: z.string().trim().min(1, "must not be empty").max(10_000, "must be at most 10000 characters") }).strict();

export function customerView(c: Customer, platform: Platform) {
  return {
    id: c.id,
    channelId: c.channelId,
    platform,
    platformUserId: c.platformUserId,
    profileName: c.profileName,
    firstSeenAt: c.firstSeenAt,
    lastSeenAt: c.lastSeenAt,
  };
}

const noteView = (n: Note) => ({
  id: String(n.id),
  customerId: n.customerId,
  author: { memberId: n.authorMemberId, name: n.authorName },
  body: n.body,
  createdAt: n.createdAt,
  updatedAt: n.updatedAt,
});

/** A customer's profile and the notes members keep about them. */
export function customerRoutes(deps: ApiDeps) {
  const noCustomer = (customerId: string) => new AppError("not_found", `no customer ${customerId}`);
  const mustFindNote = async (portfolioId: string, customerId: string, noteId: number) => {
    const note = await findNote(deps.db, portfolioId, customerId, noteId);
    if (!note) throw new AppError("not_found", `no note ${noteId} for customer ${customerId}`);
    return note;
  };
  const rights = new PgCustomerRightsStore(deps.db);
  return [
    route({
      method: "GET",
      path: "/portfolios/:portfolioId/customers/:customerId/export",
      access: "customers:export",
      params: customerParams,
      summary: "Everything stored about a customer as a JSON download: profile, notes, every conversation and message with its statuses, and pending statuses.",
      async handle({ tenant, params, c }) {
        const document = await exportCustomer({ portfolioId: tenant.portfolioId, customerId: params.customerId }, { store: rights, now: deps.now });
        const name = `customer-${params.customerId.replace(/[^A-Za-z0-9-]/g, "_")}.json`;
        return c.json(document, 200, { "Content-Disposition": `attachment; filename="${name}"`, "Cache-Control": "no-store" });
      },
    }),
    route({
      method: "DELETE",
      path: "/portfolios/:portfolioId/customers/:customerId",
      access: "customers:erase",
      params: customerParams,
      body: eraseBody,
      summary: 'Erases a customer for good with all their conversations, messages, notes, work items, pending statuses and cache markers. Body `{"confirm":"erase"}`. Answers what was removed.',
      async handle({ tenant, params }) {
        return eraseCustomer({ portfolioId: tenant.portfolioId, customerId: params.customerId }, { store: rights, kv: deps.cacheKeys, live: deps.live });
      },
    }),
    route({
      method: "GET",
      path: "/portfolios/:portfolioId/customers/:customerId",
      access: "conversations:read",
      params: customerParams,
      summary: "A customer's profile: platform, platform user id, profile name, first and last seen, and their conversation.",
      async handle({ tenant, params }) {
        const found = await findCustomer(deps.db, tenant.portfolioId, params.customerId);
        if (!found) throw noCustomer(params.customerId);
        return { customer: { ...customerView(found.customer, found.platform), conversationId: found.conversationId } };
      },
    }),
    route({
      method: "GET",
      path: "/portfolios/:portfolioId/customers/:customerId/notes",
      access: "conversations:read",
      params: customerParams,
      summary: "The notes about a customer, oldest first.",
      async handle({ tenant, params }) {
        const notes = await listNotes(deps.db, tenant.portfolioId, params.customerId);
        if (!notes) throw noCustomer(params.customerId);
        return { notes: notes.map(noteView) };
      },
    }),
    route({
      method: "POST",
      path: "/portfolios/:portfolioId/customers/:customerId/notes",
      access: "conversations:write",
      status: 201,
      params: customerParams,
      body: noteBody,
      summary: "Adds a note about a customer, written by the caller.",
      async handle({ tenant, params, body }) {
        const note = await addNote(deps.db, tenant.portfolioId, {
          customerId: params.customerId,
          authorMemberId: tenant.memberId,
          authorName: tenant.name || tenant.email,
          body: body.body,
          at: deps.now(),
        });
        if (!note) throw noCustomer(params.customerId);
        return { note: noteView(note) };
      },
    }),
    route({
      method: "PATCH",
      path: "/portfolios/:portfolioId/customers/:customerId/notes/:noteId",
      access: "conversations:write",
      params: noteParams,
      body: noteBody,
      summary: "Changes a note's text; only its author may.",
      async handle({ tenant, params, body }) {
        const note = await mustFindNote(tenant.portfolioId, params.customerId, params.noteId);
        if (!mayEditNote(tenant, note)) throw new AppError("forbidden", "only the author of a note may change it");
        const updated = await updateNote(deps.db, tenant.portfolioId, params.customerId, params.noteId, { body: body.body, at: deps.now() });
        if (!updated) throw new AppError("not_found", `no note ${params.noteId} for customer ${params.customerId}`);
        return { note: noteView(updated) };
      },
    }),
    route({
      method: "DELETE",
      path: "/portfolios/:portfolioId/customers/:customerId/notes/:noteId",
      access: "conversations:write",
      status: 204,
      params: noteParams,
      summary: "Deletes a note; its author, an admin or the owner may.",
      async handle({ tenant, params }) {
        const note = await mustFindNote(tenant.portfolioId, params.customerId, params.noteId);
        if (!mayDeleteNote(tenant, note)) throw new AppError("forbidden", "only the author, an admin or the owner may delete a note");
        await deleteNote(deps.db, tenant.portfolioId, params.customerId, params.noteId);
      },
    }),
  ];
}
