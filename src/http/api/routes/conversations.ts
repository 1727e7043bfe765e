import type { ApiDeps } from "../deps.js";
import type { ApiRoute } from "../route.js";

export function conversationRoutes(_deps: ApiDeps): ApiRoute[] {
  return [];
}
