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
  /** Chat with the agent in the playground (it spends the portfolio's model budget). */
  | "agent:playground"
  | "members:manage"
  | "portfolio:rename"
  | "portfolio:delete"
  /** A customer's rights: export everything stored about them, or erase them for good. */
  | "customers:export"
  | "customers:erase";

const allowed: Record<Role, ReadonlySet<Action>> = {
  owner: new Set<Action>([
    "conversations:read", "conversations:write", "channels:manage", "agent:manage", "agent:playground", "members:manage", "portfolio:rename", "portfolio:delete",
    "customers:export", "customers:erase",
  ]),
  admin: new Set<Action>([
    "conversations:read", "conversations:write", "channels:manage", "agent:manage", "agent:playground", "members:manage", "portfolio:rename",
    "customers:export", "customers:erase",
  ]),
  agent: new Set<Action>(["conversations:read", "conversations:write"]),
};

export function can(role: Role, action: Action): boolean {
  return allowed[role].has(action);
}

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (roles as readonly string[]).includes(value);
}
