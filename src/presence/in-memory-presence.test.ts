import { presenceContract } from "../../test/contracts/presence.contract.js";
import { InMemoryPresence } from "./in-memory-presence.js";

// The single-node presence must behave as Redis presence does
// (test/integration/presence-contract.test.ts runs the same suite on Redis).
presenceContract("in memory", async () => ({ presence: new InMemoryPresence(), async close() {} }));
