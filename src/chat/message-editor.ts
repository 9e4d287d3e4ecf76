import type {
  DeleteFrame,
  EditFrame,
  ErrorCode,
  Member,
  Message,
  ReactFrame,
  ReplyPreview,
} from "@parley/protocol";
import { isSingleEmoji, MAX_REACTIONS_PER_MESSAGE, replyExcerpt } from "@parley/protocol";
import { checkMessageBody } from "./message-rules.js";
import {
  AUTHORS_ONLY,
  type ChatDependencies,
  type CommittedChange,
  type MessageChangeHooks,
  type ModerationPolicy,
  NO_MESSAGE_CHANGE_HOOKS,
} from "./ports.js";
import type { RoomAccess } from "./room-access.js";
import { isDependencyUnavailable } from "./unavailable.js";

/** Why a change was not made, as the error frame that answers it. */
export interface ChangeRefusal {
  code: ErrorCode;
  message: string;
  retryAfter?: number;
}

export type ChangeOutcome =
  | { kind: "changed"; change: CommittedChange }
  | { kind: "unchanged" }
  | ChangeRefusalOutcome;
type ChangeRefusalOutcome = { kind: "refused" } & ChangeRefusal;

const refuse = (code: ErrorCode, message: string, retryAfter?: number): ChangeRefusalOutcome => ({
  kind: "refused",
  code,
  message,
  ...(retryAfter !== undefined && { retryAfter }),
});

const BUS_AWAY = "The server cannot reach its message bus right now; nothing was changed. Try again shortly.";

/**
 * The one place where stored messages change: edits, deletions and reactions, and the check of
 * the message a reply answers. Each change is checked (room readable, author, body rules, rate),
 * committed with the room's next change sequence, published to every node, and then handed to
 * the hooks (search re-indexing and file deletion plug in there; see MessageChangeHooks).
 */
export class MessageEditor {
  private readonly moderation: ModerationPolicy;
  private readonly hooks: MessageChangeHooks;

  constructor(
    private readonly deps: ChatDependencies,
    private readonly access: RoomAccess,
  ) {
    this.moderation = deps.moderation ?? AUTHORS_ONLY;
    this.hooks = deps.changeHooks ?? NO_MESSAGE_CHANGE_HOOKS;
  }

  async edit(user: Member, { roomId, seq, body }: EditFrame): Promise<ChangeOutcome> {
    const found = await this.target(user, roomId, seq);
    if (found.kind === "refused") return found;
    if (found.message.author.id !== user.id) {
      return refuse("not_author", "Only the author of a message can edit it.");
    }
    const violation = checkMessageBody(body);
    if (violation) return refuse(violation.code, violation.message);
    if (body === found.message.body) return { kind: "unchanged" };
    const limited = await this.takeAllowance(user);
    if (limited) return limited;
    const change = await this.deps.changes.edit(roomId, seq, body, this.deps.clock.now());
    if (!change) return gone(seq);
    await this.publish(change);
    await this.hooks.edited(change.message);
    return { kind: "changed", change };
  }

  async delete(user: Member, { roomId, seq }: DeleteFrame): Promise<ChangeOutcome> {
    const found = await this.target(user, roomId, seq);
    if (found.kind === "refused") return found;
    if (
      found.message.author.id !== user.id &&
      !(await this.moderation.mayDeleteOthersMessages(user.id, roomId))
    ) {
      return refuse("not_author", "Only the author of a message (or an administrator) can delete it.");
    }
    const limited = await this.takeAllowance(user);
    if (limited) return limited;
    const change = await this.deps.changes.delete(roomId, seq, this.deps.clock.now());
    if (!change) return gone(seq);
    await this.publish(change);
    await this.hooks.deleted(change.message);
    return { kind: "changed", change };
  }

  async react(user: Member, { roomId, seq, emoji, action }: ReactFrame): Promise<ChangeOutcome> {
    if (!isSingleEmoji(emoji)) return refuse("reaction_invalid", "A reaction is exactly one emoji.");
    const found = await this.target(user, roomId, seq);
    if (found.kind === "refused") return found;
    const limited = await this.takeAllowance(user);
    if (limited) return limited;
    const result = await this.deps.changes.react({
      roomId,
      seq,
      userId: user.id,
      emoji,
      add: action === "add",
      at: this.deps.clock.now(),
      maxEmoji: MAX_REACTIONS_PER_MESSAGE,
    });
    if (result === undefined) return gone(seq);
    if (result === "unchanged") return { kind: "unchanged" };
    if (result === "full") {
      return refuse(
        "too_many_reactions",
        `This message already has ${MAX_REACTIONS_PER_MESSAGE} different reactions; add to one of those.`,
      );
    }
    await this.publish(result);
    return { kind: "changed", change: result };
  }

  /** What a reply to `seq` in the room shows of it, or why there is nothing to answer. */
  async replyPreview(roomId: string, seq: number): Promise<ReplyPreview | ChangeRefusalOutcome> {
    const message = await this.deps.changes.get(roomId, seq);
    if (!message || message.deletedAt !== undefined) return gone(seq);
    return {
      seq,
      authorId: message.author.id,
      authorName: message.author.name,
      excerpt: replyExcerpt(message.body),
    };
  }

  /** The live message a change names, if the user may read its room. */
  private async target(
    user: Member,
    roomId: string,
    seq: number,
  ): Promise<{ kind: "found"; message: Message } | ChangeRefusalOutcome> {
    // One answer for "no such room" and "not yours to read": a room's existence is not told.
    if (!(await this.access.canRead(user.id, roomId))) {
      return refuse("unknown_room", `There is no room with id ${roomId}.`);
    }
    if (!this.deps.bus.available) return refuse("unavailable", BUS_AWAY);
    const message = await this.deps.changes.get(roomId, seq);
    if (!message || message.deletedAt !== undefined) return gone(seq);
    return { kind: "found", message };
  }

  private async takeAllowance(user: Member): Promise<ChangeRefusalOutcome | undefined> {
    const allowance = await this.deps.limits.changes.take(user.id);
    if (allowance.allowed) return undefined;
    const seconds = (allowance.retryAfterMs / 1000).toFixed(1);
    return refuse(
      "rate_limited",
      `You are changing messages too fast; nothing was changed. Try again in ${seconds} s.`,
      allowance.retryAfterMs,
    );
  }

  /** Committed: a publication lost to an outage is made good by clients resuming their change cursor. */
  private async publish({ changeSeq, message }: CommittedChange): Promise<void> {
    await this.deps.bus
      .publish({ kind: "message_changed", roomId: message.roomId, changeSeq, message })
      .catch((error: unknown) => {
        if (!isDependencyUnavailable(error)) throw error;
      });
  }
}

function gone(seq: number): ChangeRefusalOutcome {
  return refuse("unknown_message", `There is no message ${seq} in this room, or it was deleted.`);
}
