export * from "./client-frames.js";
export * from "./entities.js";
export * from "./limits.js";
export * from "./message-body.js";
export * from "./rest.js";
export * from "./server-frames.js";
