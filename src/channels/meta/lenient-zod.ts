import { z } from "zod";

/**
 * Field schemas for what lies below a webhook's envelope. A field that is absent or of the wrong
 * type reads as undefined instead of failing its item: one odd field must not lose a message.
 */
export const str = z.string().optional().catch(undefined);
export const bool = z.boolean().optional().catch(undefined);
/** A finite number; numeric strings are accepted too (timestamps, watermarks). */
export const num = z
  .unknown()
  .optional()
  .transform((v) => {
    const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : Number.NaN;
    return Number.isFinite(n) ? n : undefined;
  });
/** Codes and ids Meta sends as numbers in some places and strings in others, as a string. */
export const strOrNum = z
  .union([z.string(), z.number()])
  .optional()
  .catch(undefined)
  .transform((v) => (v === undefined ? undefined : String(v)));
/** An id as a string; an empty one counts as absent. */
export const id = strOrNum.transform((v) => (v === undefined || v.trim() === "" ? undefined : v));
export const list = z.array(z.unknown()).optional().catch(undefined);
export const loose = <T extends z.ZodRawShape>(shape: T) => z.object(shape).optional().catch(undefined);
