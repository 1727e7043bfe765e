/** The one authorization policy: what each member role may do in its portfolio. */
export const roles = ["owner", "admin", "agent"] as const;
export type Role = (typeof roles)[number];

export type Action =
  /** Read conversations, customers, notes, channel and agent state. */
  | "conversations:read"
  /** Answer customers, switch modes, mark read, write notes. */
  | "conversations:write"
  | "channels:manage"
  | "agent:manage"
  | "members:manage"
  | "portfolio:rename"
  | "portfolio:delete";

const allowed: Record<Role, ReadonlySet<Action>> = {
  owner: new Set<Action>([
    "conversations:read", "conversations:write", "channels:manage", "agent:manage", "members:manage", "portfolio:rename", "portfolio:delete",
  ]),
  admin: new Set<Action>(["conversations:read", "conversations:write", "channels:manage", "agent:manage", "members:manage", "portfolio:rename"]),
  agent: new Set<Action>(["conversations:read", "conversations:write"]),
};

export function can(role: Role, action: Action): boolean {
  return allowed[role].has(action);
}

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (roles as readonly string[]).includes(value);
}
