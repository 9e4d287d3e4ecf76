export * from "./avatar-image.js";
export * from "./client-frames.js";
export * from "./display-name.js";
export * from "./entities.js";
export * from "./limits.js";
export * from "./rest.js";
export * from "./server-frames.js";
