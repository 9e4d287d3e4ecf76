import type { Reaction } from "@parley/protocol";
import { useText } from "../i18n/use-text.js";

/** The reactions under a message: each emoji with its count; pressed when it is yours, a press toggles it. */
export function Reactions({
  reactions,
  myId,
  onToggle,
}: {
  reactions: readonly Reaction[];
  myId: string | undefined;
  onToggle(emoji: string, mine: boolean): void;
}) {
  const t = useText();
  if (reactions.length === 0) return null;
  return (
    <div className="reactions" data-testid="reactions">
      {reactions.map((reaction) => {
        const mine = reaction.users.some((user) => user.id === myId);
        const names = reaction.users.map((user) => user.name).join(", ");
        const label = t("messages.reactionBy", {
          emoji: reaction.emoji,
          count: reaction.users.length,
          names,
        });
        return (
          <button
            key={reaction.emoji}
            type="button"
            className={mine ? "reaction mine" : "reaction"}
            data-testid="reaction"
            data-emoji={reaction.emoji}
            aria-pressed={mine}
            aria-label={label}
            title={label}
            onClick={() => onToggle(reaction.emoji, mine)}
          >
            <span aria-hidden="true">{reaction.emoji}</span>
            <span className="reaction-count" aria-hidden="true">
              {reaction.users.length}
            </span>
          </button>
        );
      })}
    </div>
  );
}
