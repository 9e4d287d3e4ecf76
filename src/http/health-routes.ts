import type { FastifyInstance } from "fastify";

export interface HealthOptions {
  /** Every dependency a node needs to serve; each throws when it is not usable. */
  readinessChecks: Record<string, () => Promise<void>>;
  /** A check that has not answered by then fails: a frozen dependency must not hang the probe. */
  checkTimeoutMs?: number;
}

/** Well inside a load balancer's usual 2–5 s probe timeout. */
const DEFAULT_CHECK_TIMEOUT_MS = 1500;

function withTimeout(check: () => Promise<void>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([check(), timeout]).finally(() => clearTimeout(timer));
}

/** /healthz: the process is up (never depends on others). /readyz: it can serve right now. */
export function registerHealthRoutes(app: FastifyInstance, options: HealthOptions): void {
  const timeoutMs = options.checkTimeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
  app.get("/healthz", async () => ({ ok: true }));

  app.get("/readyz", async (_request, reply) => {
    const results = await Promise.all(
      Object.entries(options.readinessChecks).map(async ([name, check]) => {
        try {
          await withTimeout(check, timeoutMs);
          return [name, "ok"] as const;
        } catch (error) {
          return [name, error instanceof Error ? error.message : String(error)] as const;
        }
      }),
    );
    const checks = Object.fromEntries(results);
    const ready = results.every(([, status]) => status === "ok");
    return reply.code(ready ? 200 : 503).send({ ready, checks });
  });
}
