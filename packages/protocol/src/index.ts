export * from "./client-frames.js";
export * from "./close-codes.js";
export * from "./encoding.js";
export * from "./entities.js";
export * from "./limits.js";
export * from "./rest.js";
export * from "./routes.js";
export * from "./server-frames.js";
