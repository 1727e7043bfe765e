export * from "./portfolio.js";
export * from "./channel.js";
export * from "./conversation.js";
export * from "./work.js";
