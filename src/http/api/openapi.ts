import { z } from "zod";
import { statusOf } from "./errors.js";
import type { ApiRoute } from "./route.js";

/** The OpenAPI 3.1 document of the API, generated from the same route table the server mounts. */
export function openApiDocument(routes: ApiRoute[], info: { version: string; serverUrl: string }) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = `/api${r.path.replace(/:(\w+)/g, "{$1}")}`;
    paths[path] ??= {};
    paths[path][r.method.toLowerCase()] = {
      summary: r.summary,
      "x-access": r.access,
      security: r.access === "public" ? [] : [{ session: [] }],
      parameters: [...parameters(r.params, "path"), ...parameters(r.query, "query")],
      ...(r.body ? { requestBody: { required: true, content: { "application/json": { schema: jsonSchema(r.body, "input") } } } } : {}),
      responses: {
        [String(r.status ?? 200)]: r.stream
          ? { description: "A stream of server-sent events", content: { "text/event-stream": { schema: { type: "string" } } } }
          : { description: r.status === 204 ? "Done" : "Success" },
        ...errorResponses(r),
      },
    };
  }
  return {
    openapi: "3.1.0",
    info: { title: "Cosbot API", version: info.version, description: "Sign in with GitHub (or the local link), then call these with the session cookie." },
    servers: [{ url: info.serverUrl }],
    components: {
      // Over HTTPS better-auth prefixes its cookie with __Secure-.
      securitySchemes: { session: { type: "apiKey", in: "cookie", name: `${info.serverUrl.startsWith("https://") ? "__Secure-" : ""}better-auth.session_token` } },
      schemas: {
        Error: {
          type: "object",
          required: ["error"],
          properties: {
            error: {
              type: "object",
              required: ["code", "message"],
              properties: {
                code: { type: "string", enum: Object.keys(statusOf) },
                message: { type: "string" },
                fields: { type: "array", items: { type: "object", properties: { field: { type: "string" }, message: { type: "string" } } } },
              },
            },
          },
        },
      },
    },
    paths,
  };
}

function jsonSchema(schema: z.ZodType, io: "input" | "output") {
  return z.toJSONSchema(schema, { io, unrepresentable: "any" });
}

function parameters(schema: z.ZodType | undefined, where: "path" | "query") {
  if (!schema) return [];
  const json = jsonSchema(schema, "input") as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({
    name,
    in: where,
    required: where === "path" || (json.required ?? []).includes(name),
    schema: s,
  }));
}

function errorResponses(r: ApiRoute) {
  const ref = { content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } };
  const out: Record<string, unknown> = {};
  if (r.params || r.query || r.body) out["400"] = { description: "Bad input; `fields` names what is wrong", ...ref };
  if (r.access !== "public") out["401"] = { description: "Not signed in", ...ref };
  if (r.access !== "public" && r.access !== "signed-in") {
    out["403"] = { description: "The caller's role may not do this", ...ref };
    out["404"] = { description: "No such portfolio for the caller, or no such item in it", ...ref };
  }
  out["429"] = { description: "Rate limited", ...ref };
  return out;
}
