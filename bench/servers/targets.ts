import { startBaseline } from "./baseline-target.js";
import { startParley } from "./parley-target.js";
import type { RunningTarget, StartOptions, TargetName } from "./target.js";

export function startTarget(name: TargetName, options: StartOptions): Promise<RunningTarget> {
  return name === "parley" ? startParley(options) : startBaseline(name, options);
}

/** Starts a server for one scenario and always stops it, whatever the scenario does. */
export async function withTarget<T>(
  name: TargetName,
  options: StartOptions,
  use: (target: RunningTarget) => Promise<T>,
): Promise<T> {
  const target = await startTarget(name, options);
  try {
    return await use(target);
  } finally {
    await target.stop();
  }
}
