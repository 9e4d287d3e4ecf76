/** Publish/subscribe inside one process: every subscriber gets each event at once, in publish order. */
export class InProcessTopic<T> {
  private readonly handlers: Array<(event: T) => void> = [];
  readonly available = true;

  async publish(event: T): Promise<void> {
    for (const handler of this.handlers) handler(event);
  }

  subscribe(handler: (event: T) => void): void {
    this.handlers.push(handler);
  }
}
