import type { Message } from "@parley/protocol";
import type { MessageChangeHooks } from "./ports.js";

/**
 * The hooks of committed edits and deletions, filled in by the composition root once the services
 * that listen (search re-indexing, file deletion) exist: they are built after the chat service,
 * because they ask its RoomAccess. Each hook runs in the order added; the first failure is thrown
 * after all have run, so one failing listener never stops the others.
 */
export class MessageChangeHookList implements MessageChangeHooks {
  private readonly hooks: MessageChangeHooks[] = [];

  add(hooks: MessageChangeHooks): void {
    this.hooks.push(hooks);
  }

  edited(message: Message): Promise<void> {
    return this.each((hooks) => hooks.edited(message));
  }

  deleted(message: Message): Promise<void> {
    return this.each((hooks) => hooks.deleted(message));
  }

  private async each(run: (hooks: MessageChangeHooks) => Promise<void>): Promise<void> {
    const results = await Promise.allSettled(this.hooks.map(run));
    const failed = results.find((result) => result.status === "rejected");
    if (failed) throw failed.reason;
  }
}
