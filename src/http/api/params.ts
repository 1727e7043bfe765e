import { z } from "zod";

/** Path ids: opaque strings, bounded so nothing odd reaches a query. */
export const id = z.string().min(1).max(100);
export const portfolioParams = z.object({ portfolioId: id });
export const portfolioName = z.string().trim().min(1, "must not be empty").max(100, "must be at most 100 characters");
