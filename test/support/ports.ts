// One implementation for tests and benchmarks alike.
export { freePort } from "../../bench/system/ports.js";
