import type {
  DeleteFrame,
  EditFrame,
  ErrorCode,
  JoinFrame,
  Message,
  ReactFrame,
  ReadFrame,
  ReplyPreview,
  Room,
  SendFrame,
  ServerFrame,
  TypingFrame,
} from "@parley/protocol";
import { bodyProblemWithAttachments, encodeFrame, HISTORY_PAGE_SIZE, toPage } from "@parley/protocol";
import { AttachmentUnavailableError, attachmentUnavailableText } from "./attachment-rules.js";
import { MAX_MESSAGE_BYTES_PER_FRAME, newestWithin, PageBytes } from "./frame-budget.js";
import type { Hub } from "./hub.js";
import { encodeJoined } from "./joined-frame.js";
import type { MemberListEncoder } from "./member-list-encoder.js";
import type { ChangeOutcome, MessageEditor } from "./message-editor.js";
import type { MessageNotifier } from "./message-notifier.js";
import { checkMessageBody } from "./message-rules.js";
import {
  type AppendResult,
  type ChatDependencies,
  type ChatMetrics,
  NO_CHAT_METRICS,
  type Subscriber,
} from "./ports.js";
import type { PresenceBatcher } from "./presence-batcher.js";
import type { RoomAccess } from "./room-access.js";
import type { TypingBatcher } from "./typing-batcher.js";
import { isDependencyUnavailable } from "./unavailable.js";

/** The refusal of a room that does not exist or that the user may not read: the same words for both. */
function unknownRoom(roomId: string): string {
  return `There is no room with id ${roomId}.`;
}

/** Most messages a resuming client is sent at once; past it, it gets the newest page and a gap marker. */
export const MAX_RESUME_MESSAGES = 1000;
/** Most changed messages a resuming client is sent; past it, it gets the newest page and `stale`. */
export const MAX_RESUME_CHANGES = 1000;
/** Messages read per query while gathering a resume. */
const RESUME_CHUNK = 250;
const UNAVAILABLE =
  "The server cannot reach its message bus right now; nothing was stored. Try again shortly.";
const DEPENDENCY_UNAVAILABLE =
  "The server cannot reach its database or Redis right now. Try again shortly; resending with the same clientId never stores a message twice.";

/** What `hello` also tells the client (admin slice: how often to report activity). */
export interface HelloExtras {
  activityReportMs?: number;
  awayAfterMs?: number;
}

/**
 * One connected client and the rooms it is in. Joins, leaves and sends of one
 * participant run one after another, so a send right after a join sees the join done.
 */
export class Participant {
  private readonly rooms = new Set<string>();
  private queue: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly metrics: ChatMetrics;
  /** Per room, how often this user lost its membership while connected: a join that saw it change gives up. */
  private readonly revocations = new Map<string, number>();

  constructor(
    private readonly subscriber: Subscriber,
    private readonly deps: ChatDependencies,
    private readonly hub: Hub,
    private readonly presence: PresenceBatcher,
    private readonly memberList: MemberListEncoder,
    private readonly access: RoomAccess,
    private readonly editor: MessageEditor,
    private readonly onClosed: (participant: Participant) => void = () => undefined,
    hello: HelloExtras = {},
    /** notify slice: mentions and notifications, and typing notices; absent when they are off. */
    private readonly notifier?: MessageNotifier,
    private readonly typingNotices?: TypingBatcher,
  ) {
    this.metrics = deps.metrics ?? NO_CHAT_METRICS;
    hub.connect(subscriber);
    this.reply({ type: "hello", user: subscriber.user, ...hello });
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
        const room = await this.access.readable(this.user.id, roomId);
        if (!room) return this.fail("unknown_room", unknownRoom(roomId), { roomId });
        // Reading an open room makes one a member (as joining it does); in a private room or
        // direct conversation only a member reads, and a removal racing with this must not undo itself.
        if (room.kind === "open") {
          const { added } = await this.deps.memberships.add(this.user.id, roomId);
          if (added) await this.announceMember(room);
        }
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
      // notify slice: mentions and notifications, after the ack; an outage loses them, not the message.
      await this.notifier?.stored(message).catch((error: unknown) => {
        if (!isDependencyUnavailable(error)) throw error;
      });
    });
  }

  // --- rooms-access ---
  /**
   * The user is no longer a member of the room (the hub already stopped its frames): sends are
   * refused from now on, a join in flight gives up, and the room sees this user leave.
   */
  revoke(roomId: string): void {
    this.revocations.set(roomId, (this.revocations.get(roomId) ?? 0) + 1);
    if (!this.rooms.has(roomId)) return;
    this.rooms.delete(roomId);
    this.serially(async () => {
      if (this.rooms.has(roomId)) return;
      const last = await this.deps.presence.remove(roomId, this.user.id, this.subscriber.connectionId);
      if (last) this.presence.left(roomId, this.user.id);
      this.reply({ type: "left", roomId });
    }).catch(() => undefined);
  }
  // --- end rooms-access ---
  /**
   * notify slice: the person is typing in a room they joined. Never stored; at most one frame per
   * person per room per interval reaches the room (the TypingGate), the rest are refused with the wait.
   */
  typing({ roomId }: TypingFrame): Promise<void> {
    const typing = this.deps.notify?.typing;
    return this.serially(
      async () => {
        if (!this.rooms.has(roomId))
          return this.fail("not_in_room", "Join the room before typing in it.", { roomId });
        if (!typing) return;
        const allowance = await typing.pass(this.user.id, roomId);
        if (!allowance.allowed) {
          return this.fail(
            "typing_too_often",
            `Typing notices go at most once per interval; wait ${allowance.retryAfterMs} ms.`,
            { roomId, retryAfter: allowance.retryAfterMs },
          );
        }
        this.typingNotices?.typed(roomId, this.user);
      },
      { roomId },
    );
  }

  // ---- edits (issue 15 part A): in the participant's queue, so one person's actions keep their order ----

  edit(frame: EditFrame): Promise<void> {
    return this.change(frame, () => this.editor.edit(this.user, frame));
  }

  delete(frame: DeleteFrame): Promise<void> {
    return this.change(frame, () => this.editor.delete(this.user, frame));
  }

  react(frame: ReactFrame): Promise<void> {
    return this.change(frame, () => this.editor.react(this.user, frame));
  }

  /** Runs a change; the change itself reaches this socket as `message_changed`, a refusal as `error`. */
  private change(
    { roomId, seq }: { roomId: string; seq: number },
    run: () => Promise<ChangeOutcome>,
  ): Promise<void> {
    return this.serially(
      async () => {
        const outcome = await run();
        if (outcome.kind !== "refused") return;
        this.fail(outcome.code, outcome.message, {
          roomId,
          seq,
          ...(outcome.retryAfter !== undefined && { retryAfter: outcome.retryAfter }),
        });
      },
      { roomId },
    );
  }

  /** The socket is gone: leave every room, so the others see this user go if it was the last tab. */
  disconnect(): Promise<void> {
    this.closed = true;
    this.onClosed(this);
    this.hub.disconnect(this.subscriber);
    return this.serially(async () => {
      for (const roomId of [...this.rooms]) await this.doLeave(roomId);
    });
  }

  private async sendUnreadState(): Promise<void> {
    const rooms = await this.deps.memberships.standings(this.user.id);
    for (const room of rooms) this.hub.watch(room.roomId, this.subscriber);
    this.reply({ type: "unread_state", rooms });
    // notify slice: mention badges, counted against the read positions just sent.
    if (this.notifier)
      this.reply({ type: "mention_state", rooms: await this.notifier.unreadMentions(this.user.id) });
  }

  private async doJoin({ roomId, since, changesSince }: JoinFrame): Promise<void> {
    const revocations = this.revocations.get(roomId) ?? 0;
    // A room the user may not read is answered exactly as one that does not exist.
    const room = await this.access.readable(this.user.id, roomId);
    if (!room) return this.fail("unknown_room", unknownRoom(roomId), { roomId });
    if (this.closed) return;
    this.hub.noteRoom(room);
    const rejoin = this.rooms.has(roomId);
    this.rooms.add(roomId);
    // Announce ourselves before subscribing, so our own arrival is not echoed back to us;
    // the member snapshot read below includes it and everyone who came in meanwhile.
    if (!rejoin) await this.enterPresence(roomId);
    this.hub.unsubscribe(roomId, this.subscriber);
    this.hub.subscribe(roomId, this.subscriber);

    // Read before the messages: whatever changes after this point is also live, so none is missed.
    const { lastSeq, lastChangeSeq } = await this.deps.changes.positions(roomId);
    // A client that holds everything stored (most of a reconnect storm) needs no message read.
    let { messages, hasOlder } =
      since !== undefined && since >= lastSeq
        ? { messages: [], hasOlder: since > 0 }
        : await this.missedMessages(roomId, since);
    const changed = await this.missedChanges(roomId, since, changesSince, lastChangeSeq);
    let stale = false;
    if (changed === "too_many") {
      // Too much changed to send message by message: the newest page, and the client drops the rest.
      ({ messages, hasOlder } = await this.missedMessages(roomId, undefined));
      stale = true;
    }
    const members = this.memberList.encode(roomId, await this.deps.presence.members(roomId));
    // Entering an open room makes one a member; in the others one already is (checked above), and
    // must not be made one again should a removal have come meanwhile.
    const membership =
      room.kind === "open"
        ? await this.deps.memberships.add(this.user.id, roomId)
        : { lastReadSeq: (await this.deps.memberships.position(this.user.id, roomId)) ?? 0, added: false };
    if ((this.revocations.get(roomId) ?? 0) !== revocations) {
      // Removed while this join read its snapshot: send none of it.
      if (membership.added) await this.deps.memberships.remove(this.user.id, roomId);
      await this.doLeave(roomId);
      return this.fail("unknown_room", unknownRoom(roomId), { roomId });
    }
    if (membership.added) await this.announceMember(room);
    const lastReadSeq = membership.lastReadSeq;
    this.hub.watch(roomId, this.subscriber);
    const changedMessages = changed === "too_many" ? [] : changed;
    const page = toPage([...messages, ...changedMessages]);
    this.subscriber.deliver(
      encodeJoined(
        {
          room,
          users: page.users,
          messages: page.messages.slice(0, messages.length),
          hasOlder,
          lastReadSeq,
          changed: page.messages.slice(messages.length),
          lastChangeSeq,
          ...(stale && { stale }),
        },
        members,
      ),
    );
    const snapshotSeq = messages.at(-1)?.seq ?? since ?? 0;
    this.hub.release(roomId, this.subscriber, snapshotSeq, lastChangeSeq);
  }

  /** Tells every node this user is a new member, so their other tabs list the room and its members list grows. */
  private async announceMember(room: Room): Promise<void> {
    this.access.forget(room.id);
    await this.deps.bus.publish({ kind: "member_added", room, member: this.user }).catch((error: unknown) => {
      // The membership is stored; the room list on the next load makes the announcement good.
      if (!isDependencyUnavailable(error)) throw error;
    });
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

  /**
   * The messages the client holds (seq <= since) that changed after its `changesSince`, each once
   * in its current state; "too_many" past MAX_RESUME_CHANGES or a frame's bytes.
   */
  private async missedChanges(
    roomId: string,
    since: number | undefined,
    changesSince: number | undefined,
    lastChangeSeq: number,
  ): Promise<Message[] | "too_many"> {
    if (since === undefined || changesSince === undefined || changesSince >= lastChangeSeq) return [];
    const changed = await this.deps.changes.changedSince(roomId, changesSince, since, MAX_RESUME_CHANGES + 1);
    if (changed.length > MAX_RESUME_CHANGES) return "too_many";
    const bytes = new PageBytes();
    for (const message of changed) bytes.add(message);
    return bytes.total > MAX_MESSAGE_BYTES_PER_FRAME ? "too_many" : changed;
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
    replyTo,
    attachments = [],
  }: SendFrame): Promise<{ stored: Promise<AppendResult> } | undefined> {
    const context = { roomId, clientId };
    if (!this.rooms.has(roomId)) {
      this.fail("not_in_room", "Join the room before sending to it.", context);
      return undefined;
    }
    if (this.hub.isDeleted(roomId)) {
      this.fail("unknown_room", `There is no room with id ${roomId}.`, context);
      return undefined;
    }
    if (this.hub.isArchived(roomId)) {
      this.fail(
        "room_archived",
        "This room is archived and read-only; an administrator or its creator can restore it.",
        context,
      );
      return undefined;
    }
    const attachmentIds = [...new Set(attachments)];
    const violation = bodyProblemWithAttachments(checkMessageBody(body), attachmentIds.length);
    if (violation) {
      this.fail(violation.code, violation.message, context);
      return undefined;
    }
    // notify slice: @here/@room is refused where it is off or the room is too large for it.
    const roomWide = await this.notifier?.refuseRoomWide(roomId, body);
    if (roomWide) {
      this.fail(
        "room_mention_refused",
        roomWide.max === 0
          ? `${roomWide.mention} is turned off on this server; nothing was stored. Remove it and send again.`
          : `${roomWide.mention} reaches rooms of at most ${roomWide.max} members and this one has ${roomWide.members}; nothing was stored. Remove it and send again.`,
        context,
      );
      return undefined;
    }
    // Refuse rather than store a message that could not be fanned out; the client retries.
    if (!this.deps.bus.available) {
      this.fail("unavailable", UNAVAILABLE, context);
      return undefined;
    }
    let reply: ReplyPreview | undefined;
    if (replyTo !== undefined) {
      const preview = await this.editor.replyPreview(roomId, replyTo);
      if ("kind" in preview) {
        this.fail(preview.code, preview.message, { ...context, seq: replyTo });
        return undefined;
      }
      reply = preview;
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
      ...(reply && { replyTo: reply }),
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
    context: { roomId?: string; clientId?: string; retryAfter?: number; seq?: number },
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
