import type { Db } from "../../db/client.js";
import type { SecretBox } from "../../security/secret-box.js";

/** What the API's handlers use; built once in compose.ts. */
export interface ApiDeps {
  db: Db;
  box: SecretBox;
  /** Model of a new portfolio's agent. */
  defaultModel: string;
  now(): Date;
}
