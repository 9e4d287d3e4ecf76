/**
 * CLOCK_MONOTONIC in microseconds. It is one clock for every process on the machine, so a
 * send time stamped in one load process can be subtracted from a receipt time in another.
 */
export function nowUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
