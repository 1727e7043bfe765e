export * from "./portfolio.js";
export * from "./channel.js";
export * from "./conversation.js";
export * from "./work.js";
export * from "./auth.js";
export * from "./note.js";
export * from "./deletion-request.js";
