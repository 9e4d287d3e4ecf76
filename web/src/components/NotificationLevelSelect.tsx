import type { NotificationLevel } from "@parley/protocol";
import { useEffect, useId, useState } from "react";
import { problemOf } from "../core/index.js";
import { useProblemText } from "../i18n/problem-text.js";
import { useText } from "../i18n/use-text.js";
import { useChatCore } from "../use-chat.js";

const LEVELS: readonly NotificationLevel[] = ["everything", "mentions", "nothing"];

/** The room's notification level for this person, in the room header (stored on the server). */
export function NotificationLevelSelect({ roomId }: { roomId: string }) {
  const chat = useChatCore();
  const t = useText();
  const describe = useProblemText();
  const id = useId();
  const [level, setLevel] = useState<NotificationLevel | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let current = true;
    chat.notificationLevel(roomId).then(
      (answer) => current && setLevel(answer.level),
      (err: unknown) => current && setError(describe(problemOf(err))),
    );
    return () => {
      current = false;
    };
  }, [chat, roomId, describe]);

  const change = async (next: NotificationLevel) => {
    const before = level;
    setLevel(next);
    setError(null);
    try {
      setLevel((await chat.setNotificationLevel(roomId, next)).level);
    } catch (err) {
      setLevel(before);
      setError(describe(problemOf(err)));
    }
  };

  return (
    <div className="notify-level">
      <label className="visually-hidden" htmlFor={id}>
        {t("notifyLevel.label")}
      </label>
      <svg className="notify-level-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
        <path
          fill="currentColor"
          d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1z"
        />
      </svg>
      <select
        id={id}
        className="notify-level-select"
        data-testid="notify-level"
        title={error ?? t("notifyLevel.label")}
        value={level ?? ""}
        disabled={level === null}
        onChange={(event) => void change(event.target.value as NotificationLevel)}
      >
        {level === null && <option value="">…</option>}
        {LEVELS.map((option) => (
          <option key={option} value={option}>
            {t(`notifyLevel.${option}`)}
          </option>
        ))}
      </select>
      {error && (
        <span className="visually-hidden" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
