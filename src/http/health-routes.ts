import type { FastifyInstance } from "fastify";

export interface HealthOptions {
  /** Every dependency a node needs to serve; each throws when it is not usable. */
  readinessChecks: Record<string, () => Promise<void>>;
}

/** /healthz: the process is up (never depends on others). /readyz: it can serve right now. */
export function registerHealthRoutes(app: FastifyInstance, options: HealthOptions): void {
  app.get("/healthz", async () => ({ ok: true }));

  app.get("/readyz", async (_request, reply) => {
    const results = await Promise.all(
      Object.entries(options.readinessChecks).map(async ([name, check]) => {
        try {
          await check();
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
