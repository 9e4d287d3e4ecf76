import { useId, useState } from "react";
import { problemOf } from "../api.js";
import { type Problem, roomPath } from "../core/index.js";
import { useProblemText } from "../i18n/problem-text.js";
import { useText } from "../i18n/use-text.js";
import { navigate } from "../router.js";
import { useChat, useChatCore } from "../use-chat.js";
import { Modal } from "./Modal.js";

/** The open rooms the user is not in, each with a Join button. */
export function BrowseRoomsDialog({ open, onClose }: { open: boolean; onClose(): void }) {
  const t = useText();
  const titleId = useId();
  return (
    <Modal open={open} onClose={onClose} labelledBy={titleId} className="dialog" testId="browse-dialog">
      <div className="dialog-body">
        <h2 className="dialog-title" id={titleId}>
          {t("browse.title")}
        </h2>
        <OpenRooms onDone={onClose} />
      </div>
    </Modal>
  );
}

function OpenRooms({ onDone }: { onDone(): void }) {
  const chat = useChatCore();
  const t = useText();
  const describe = useProblemText();
  const rooms = useChat((state) => state.rooms);
  const memberships = useChat((state) => state.memberships);
  const [error, setError] = useState<Problem | null>(null);
  const mine = new Set(memberships);
  const joinable = rooms
    .filter((room) => room.kind === "open" && !mine.has(room.id))
    .sort((a, b) => a.name.localeCompare(b.name));

  const join = async (roomId: string) => {
    try {
      const room = await chat.joinRoom(roomId);
      onDone();
      navigate(roomPath(room.slug));
    } catch (err) {
      setError(problemOf(err));
    }
  };

  return (
    <>
      {error && (
        <p className="form-error" role="alert">
          {describe(error)}
        </p>
      )}
      <ul className="people-list" data-testid="browse-list">
        {joinable.length === 0 && <li className="muted">{t("browse.empty")}</li>}
        {joinable.map((room) => (
          <li key={room.id} className="person" data-testid="browse-room" data-slug={room.slug}>
            <span className="room-hash" aria-hidden="true">
              #
            </span>
            <span className="person-name" title={room.name}>
              {room.name}
            </span>
            <button
              type="button"
              className="button"
              data-testid="browse-join"
              aria-label={t("browse.joinNamed", { room: room.name })}
              onClick={() => void join(room.id)}
            >
              {t("browse.join")}
            </button>
          </li>
        ))}
      </ul>
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onDone}>
          {t("browse.close")}
        </button>
      </div>
    </>
  );
}
