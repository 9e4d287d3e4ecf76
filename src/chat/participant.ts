import type { ErrorCode, JoinFrame, Message, ReadFrame, SendFrame, ServerFrame } from "@parley/protocol";
import { bodyProblemWithAttachments, encodeFrame, HISTORY_PAGE_SIZE, toPage } from "@parley/protocol";
import { AttachmentUnavailableError, attachmentUnavailableText } from "./attachment-rules.js";
import { MAX_MESSAGE_BYTES_PER_FRAME, newestWithin, PageBytes } from "./frame-budget.js";
import type { Hub } from "./hub.js";
import { checkMessageBody } from "./message-rules.js";
import {
  type AppendResult,
  type ChatDependencies,
  type ChatMetrics,
  NO_CHAT_METRICS,
  type Subscriber,
} from "./ports.js";
import type { PresenceBatcher } from "./presence-batcher.js";
import { isDependencyUnavailable } from "./unavailable.js";

/** Most messages a resuming client is sent at once; past it, it gets the newest page and a gap marker. */
export const MAX_RESUME_MESSAGES = 1000;
/** Messages read per query while gathering a resume. */
const RESUME_CHUNK = 250;
const UNAVAILABLE =
  "The server cannot reach its message bus right now; nothing was stored. Try again shortly.";
const DEPENDENCY_UNAVAILABLE =
  "The server cannot reach its database or Redis right now. Try again shortly; resending with the same clientId never stores a message twice.";

/**
 * One connected client and the rooms it is in. Joins, leaves and sends of one
 * participant run one after another, so a send right after a join sees the join done.
 */
export class Participant {
  private readonly rooms = new Set<string>();
  private queue: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly metrics: ChatMetrics;

  constructor(
    private readonly subscriber: Subscriber,
    private readonly deps: ChatDependencies,
    private readonly hub: Hub,
    private readonly presence: PresenceBatcher,
  ) {
    this.metrics = deps.metrics ?? NO_CHAT_METRICS;
    hub.connect(subscriber);
    this.reply({ type: "hello", user: subscriber.user });
    this.serially(() => this.sendUnreadState()).catch(() => undefined);
  }

  get user() {
    return this.subscriber.user;
  }

  join(frame: JoinFrame): Promise<void> {
    return this.serially(() => this.doJoin(frame), { roomId: frame.roomId });
  }

  leave(roomId: string): Promise<void> {
    return this.serially(async () => {
      if (!this.rooms.has(roomId)) return;
      await this.doLeave(roomId);
      this.reply({ type: "left", roomId });
    });
  }

  read({ roomId, seq }: ReadFrame): Promise<void> {
    return this.serially(
      async () => {
        if (!(await this.deps.rooms.byId(roomId)))
          return this.fail("unknown_room", `There is no room with id ${roomId}.`, { roomId });
        await this.deps.memberships.ensure(this.user.id, roomId);
        const position = await this.deps.memberships.markRead(this.user.id, roomId, seq);
        await this.deps.bus.publish({ kind: "read", userId: this.user.id, roomId, seq: position });
      },
      { roomId },
    );
  }

  /**
   * Sends take their place in the queue only until they are handed to the store, not until
   * they commit: a client may have many sends in flight, which group commit writes together,
   * and their order (and so their sequence numbers) is still the order they were sent in.
   */
  send(frame: SendFrame): Promise<void> {
    const context = { roomId: frame.roomId, clientId: frame.clientId };
    let stored: Promise<AppendResult> | undefined;
    return this.serially(async () => {
      stored = (await this.admit(frame))?.stored;
    }, context).then(async () => {
      if (!stored) return;
      let result: AppendResult;
      try {
        result = await stored;
      } catch (error) {
        // files (issue 16): an upload taken by another send (or swept) between the check and the commit.
        if (error instanceof AttachmentUnavailableError) {
          return this.fail("attachment_unavailable", attachmentUnavailableText([error.uploadId]), context);
        }
        this.failUnexpectedly(context, error);
        throw error;
      }
      const { message, duplicate } = result;
      if (message.roomId !== frame.roomId) {
        // Acking would name a seq of the other room as this room's: refuse, nothing is stored.
        return this.fail(
          "client_id_conflict",
          `You already used clientId ${frame.clientId} for a message in another room; send this one with a new clientId.`,
          context,
        );
      }
      this.reply({ type: "ack", roomId: frame.roomId, clientId: frame.clientId, seq: message.seq });
      if (duplicate) return;
      this.metrics.messageStored();
      // Committed and acknowledged: a fan-out lost to an outage is made good by clients resuming
      // from their last seq (and the bus adapter counts the failure), so it is no error of this send.
      await this.deps.bus.publish({ kind: "message", message }).catch((error: unknown) => {
        if (!isDependencyUnavailable(error)) throw error;
      });
    });
  }

  /** The socket is gone: leave every room, so the others see this user go if it was the last tab. */
  disconnect(): Promise<void> {
    this.closed = true;
    this.hub.disconnect(this.subscriber);
    return this.serially(async () => {
      for (const roomId of [...this.rooms]) await this.doLeave(roomId);
    });
  }

  private async sendUnreadState(): Promise<void> {
    const rooms = await this.deps.memberships.standings(this.user.id);
    for (const room of rooms) this.hub.watch(room.roomId, this.subscriber);
    this.reply({ type: "unread_state", rooms });
  }

  private async doJoin({ roomId, since }: JoinFrame): Promise<void> {
    const room = await this.deps.rooms.byId(roomId);
    if (!room) return this.fail("unknown_room", `There is no room with id ${roomId}.`, { roomId });
    if (this.closed) return;
    const rejoin = this.rooms.has(roomId);
    this.rooms.add(roomId);
    // Announce ourselves before subscribing, so our own arrival is not echoed back to us;
    // the member snapshot read below includes it and everyone who came in meanwhile.
    if (!rejoin) await this.enterPresence(roomId);
    this.hub.unsubscribe(roomId, this.subscriber);
    this.hub.subscribe(roomId, this.subscriber);

    const { messages, hasOlder } = await this.missedMessages(roomId, since);
    const members = await this.deps.presence.members(roomId);
    const lastReadSeq = await this.deps.memberships.ensure(this.user.id, roomId);
    this.hub.watch(roomId, this.subscriber);
    this.reply({ type: "joined", room, members, ...toPage(messages), hasOlder, lastReadSeq });
    const snapshotSeq = messages.at(-1)?.seq ?? since ?? 0;
    this.hub.release(roomId, this.subscriber, snapshotSeq);
  }

  private async enterPresence(roomId: string): Promise<void> {
    const first = await this.deps.presence.add(roomId, this.user, this.subscriber.connectionId);
    if (first) this.presence.joined(roomId, this.user);
  }

  /**
   * Everything after `since` when it fits in one resume (by count and by encoded bytes), else the
   * newest messages that fit in a page, with `hasOlder`: the client then treats what it held as
   * older history, never as continuous with the page, and pages back through history as usual.
   * Read in chunks, so a room of huge messages never sits in memory a thousand at a time.
   */
  private async missedMessages(
    roomId: string,
    since: number | undefined,
  ): Promise<{ messages: Message[]; hasOlder: boolean }> {
    if (since !== undefined) {
      const missed: Message[] = [];
      const bytes = new PageBytes();
      let after = since;
      for (;;) {
        const chunk = await this.deps.messages.after(roomId, after, RESUME_CHUNK);
        for (const message of chunk) bytes.add(message);
        missed.push(...chunk);
        if (missed.length > MAX_RESUME_MESSAGES || bytes.total > MAX_MESSAGE_BYTES_PER_FRAME) break;
        const last = chunk.at(-1);
        if (chunk.length < RESUME_CHUNK || !last) return { messages: missed, hasOlder: since > 0 };
        after = last.seq;
      }
    }
    const page = await this.deps.messages.latest(roomId, HISTORY_PAGE_SIZE + 1);
    const newest = newestWithin(page.length > HISTORY_PAGE_SIZE ? page.slice(1) : page);
    return { messages: newest.messages, hasOlder: page.length > HISTORY_PAGE_SIZE || newest.trimmed };
  }

  private async doLeave(roomId: string): Promise<void> {
    this.rooms.delete(roomId);
    this.hub.unsubscribe(roomId, this.subscriber);
    const last = await this.deps.presence.remove(roomId, this.user.id, this.subscriber.connectionId);
    if (last) this.presence.left(roomId, this.user.id);
  }

  /** Checks a send and hands it to the store; undefined when it was refused (and answered). */
  private async admit({
    roomId,
    clientId,
    body,
    attachments = [],
  }: SendFrame): Promise<{ stored: Promise<AppendResult> } | undefined> {
    const context = { roomId, clientId };
    if (!this.rooms.has(roomId)) {
      this.fail("not_in_room", "Join the room before sending to it.", context);
      return undefined;
    }
    const attachmentIds = [...new Set(attachments)];
    const violation = bodyProblemWithAttachments(checkMessageBody(body), attachmentIds.length);
    if (violation) {
      this.fail(violation.code, violation.message, context);
      return undefined;
    }
    // Refuse rather than store a message that could not be fanned out; the client retries.
    if (!this.deps.bus.available) {
      this.fail("unavailable", UNAVAILABLE, context);
      return undefined;
    }
    if (attachmentIds.length > 0 && !(await this.attachable(attachmentIds, context))) return undefined;
    // Last, so only a send that would be stored counts against the person's allowance.
    const allowance = await this.deps.limits.sends.take(this.user.id);
    if (!allowance.allowed) {
      const seconds = (allowance.retryAfterMs / 1000).toFixed(1);
      this.fail("rate_limited", `You are sending too fast; nothing was stored. Try again in ${seconds} s.`, {
        ...context,
        retryAfter: allowance.retryAfterMs,
      });
      return undefined;
    }
    // Wrapped, so awaiting the admission does not wait for the commit.
    const stored = this.deps.messages.append({
      roomId,
      author: this.user,
      clientId,
      body,
      createdAt: this.deps.clock.now(),
      ...(attachmentIds.length > 0 && { attachmentIds }),
    });
    return { stored };
  }

  /**
   * files (issue 16): true when every id is a pending upload of this sender; else refuses the
   * send. A resend of a stored message names uploads already bound to it: those pass here when
   * they are bound to this very send, which the store then answers as a duplicate.
   */
  private async attachable(
    ids: readonly string[],
    context: { roomId: string; clientId: string },
  ): Promise<boolean> {
    const unavailable = this.deps.uploads
      ? await this.deps.uploads.unavailable(this.user.id, context.clientId, ids)
      : [...ids];
    if (unavailable.length === 0) return true;
    this.fail("attachment_unavailable", attachmentUnavailableText(unavailable), context);
    return false;
  }

  private fail(
    code: ErrorCode,
    message: string,
    context: { roomId?: string; clientId?: string; retryAfter?: number },
  ): void {
    this.metrics.refused(code);
    this.reply({ type: "error", code, message, ...context });
  }

  private failUnexpectedly(context: { roomId?: string; clientId?: string }, error: unknown): void {
    if (isDependencyUnavailable(error)) this.fail("unavailable", DEPENDENCY_UNAVAILABLE, context);
    else if (!this.deps.bus.available) this.fail("unavailable", UNAVAILABLE, context);
    else this.fail("internal", "The server could not do that; try again.", context);
  }

  private reply(frame: ServerFrame): void {
    this.subscriber.deliver(encodeFrame(frame));
  }

  /** Runs one operation after the previous one; a failure is reported and does not stop the queue. */
  private serially(
    operation: () => Promise<void>,
    context: { roomId?: string; clientId?: string } = {},
  ): Promise<void> {
    const next = this.queue.then(operation).catch((error: unknown) => {
      this.failUnexpectedly(context, error);
      throw error;
    });
    this.queue = next.catch(() => undefined);
    return next;
  }
}
