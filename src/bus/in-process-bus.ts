import type { Bus, BusEvent } from "../chat/ports.js";

/** The embedded default: events go straight to this process's hub, in publish order. */
export class InProcessBus implements Bus {
  private readonly handlers: Array<(event: BusEvent) => void> = [];
  readonly available = true;

  async publish(event: BusEvent): Promise<void> {
    for (const handler of this.handlers) handler(event);
  }

  subscribe(handler: (event: BusEvent) => void): void {
    this.handlers.push(handler);
  }
}
