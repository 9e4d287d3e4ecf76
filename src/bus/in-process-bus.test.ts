import { busContract } from "../../test/contracts/bus.contract.js";
import { InProcessBus } from "./in-process-bus.js";

// The embedded bus must carry events as the Redis bus does
// (test/integration/bus-contract.test.ts runs the same suite on Redis). One process is one node.
// It lives and dies with its process, so it has no shut-down to test.
busContract(
  "in process",
  async (nodes) => {
    const bus = new InProcessBus();
    return { nodes: Array.from({ length: nodes }, () => bus), async close() {} };
  },
  { canShutDown: false },
);
