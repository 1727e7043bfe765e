// One import point for tests: real HTTP fakes of the outside services.
export * from "./http-fake.js";
export * from "./graph-api.js";
export * from "./graph-accounts.js";
export * from "./openai.js";
export * from "./meta-webhook.js";
export * from "./github.js";
