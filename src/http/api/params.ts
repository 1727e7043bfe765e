import { z } from "zod";

/** Path ids: opaque strings, bounded so nothing odd reaches a query. */
export const id = z.string().min(1).max(100);
export const portfolioParams = z.object({ portfolioId: id });
// A name people must be able to see and type again (deleting a portfolio asks for it).
export const portfolioName = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .max(100, "must be at most 100 characters")
  .refine((name) => /[\p{L}\p{N}\p{S}\p{P}]/u.test(name), "must contain a visible letter, digit or symbol")
  .refine((name) => !/\p{Cs}/u.test(name), "must be valid text (it holds a broken character)");
