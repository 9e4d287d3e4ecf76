import { type MentionList, messagePath } from "@parley/protocol";
import { useEffect, useId, useState } from "react";
import { problemOf } from "../core/index.js";
import { useTimeFormat } from "../format.js";
import { useProblemText } from "../i18n/problem-text.js";
import { useText } from "../i18n/use-text.js";
import { Link } from "../router.js";
import { useChatCore } from "../use-chat.js";
import { Modal } from "./Modal.js";

/** Your recent mentions, newest first; each opens its room at the message. */
export function MentionsDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const chat = useChatCore();
  const t = useText();
  const describe = useProblemText();
  const format = useTimeFormat();
  const headingId = useId();
  const [mentions, setMentions] = useState<MentionList["mentions"] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!open) return;
    let current = true;
    setMentions(null);
    setError(null);
    chat.recentMentions().then(
      (list) => current && setMentions(list),
      (err: unknown) => current && setError(describe(problemOf(err))),
    );
    return () => {
      current = false;
    };
  }, [open, chat, describe]);

  return (
    <Modal
      open={open}
      onClose={onClose}
      labelledBy={headingId}
      className="dialog mentions-dialog"
      testId="mentions-dialog"
    >
      <div className="dialog-body">
        <h2 className="dialog-title" id={headingId}>
          {t("mentions.title")}
        </h2>
        {error && <p role="alert">{error}</p>}
        {!error && mentions === null && <p className="muted">{t("mentions.loading")}</p>}
        {mentions?.length === 0 && <p className="muted">{t("mentions.empty")}</p>}
        {mentions && mentions.length > 0 && (
          <ul className="mention-list">
            {mentions.map(({ room, message }) => (
              <li key={`${room.id}:${message.seq}`}>
                <Link
                  to={messagePath(room.slug, message.seq)}
                  className="mention-entry"
                  data-testid="mention-entry"
                  onClick={onClose}
                >
                  <span className="mention-entry-meta">
                    <strong>{message.author.name}</strong>{" "}
                    <span className="muted">{t("mentions.inRoom", { room: room.name })}</span>{" "}
                    <time className="muted" dateTime={new Date(message.createdAt).toISOString()}>
                      {format.full(message.createdAt)}
                    </time>
                  </span>
                  <span className="mention-entry-body">{message.body}</span>
                </Link>
              </li>
            ))}
          </ul>
        )}
        <div className="dialog-actions">
          <button type="button" className="button" data-testid="mentions-close" onClick={onClose}>
            {t("mentions.close")}
          </button>
        </div>
      </div>
    </Modal>
  );
}
