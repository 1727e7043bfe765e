import type { ApiDeps } from "../deps.js";
import type { ApiRoute } from "../route.js";

export function memberRoutes(_deps: ApiDeps): ApiRoute[] {
  return [];
}
