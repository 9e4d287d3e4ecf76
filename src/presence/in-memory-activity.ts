import type { ActivityStore } from "../chat/administration-ports.js";

/** One node's view of who is connected and when they were last active (no Redis: one node is all). */
export class InMemoryActivity implements ActivityStore {
  private readonly lastActive = new Map<string, number>();

  constructor(private readonly connected: (userId: string) => boolean) {}

  async reportActive(userId: string, at: number): Promise<void> {
    this.lastActive.set(userId, at);
  }

  async activity(userIds: string[]) {
    return new Map(
      userIds.map((userId) => [
        userId,
        { connected: this.connected(userId), lastActiveAt: this.lastActive.get(userId) },
      ]),
    );
  }
}
