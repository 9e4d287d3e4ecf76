import { MAX_ROOM_NAME_LENGTH, MAX_ROOM_TOPIC_LENGTH, type Room, UpdateRoomBody } from "@parley/protocol";
import { type FormEvent, useId, useState } from "react";
import { problemOf } from "../api.js";
import { DEFAULT_ROOM_PATH, type Problem } from "../core/index.js";
import { useProblemText } from "../i18n/problem-text.js";
import { useText } from "../i18n/use-text.js";
import { navigate } from "../router.js";
import { useChat, useChatCore } from "../use-chat.js";
import { Modal } from "./Modal.js";

/** Name, topic, archive/restore and (administrators) delete of one room. */
export function RoomSettingsDialog({ room, open, onClose }: { room: Room; open: boolean; onClose(): void }) {
  const t = useText();
  const titleId = useId();
  return (
    <Modal
      open={open}
      onClose={onClose}
      labelledBy={titleId}
      className="dialog"
      testId="room-settings-dialog"
    >
      <div className="dialog-body">
        <h2 className="dialog-title" id={titleId}>
          {t("room.settings.title", { room: room.name })}
        </h2>
        {/* Keyed, so reopening starts from the room as it is now. */}
        {open && <RoomSettingsForm key={room.id} room={room} onDone={onClose} />}
      </div>
    </Modal>
  );
}

function RoomSettingsForm({ room, onDone }: { room: Room; onDone(): void }) {
  const chat = useChatCore();
  const t = useText();
  const describe = useProblemText();
  const administrator = useChat((state) => state.role === "administrator");
  const [name, setName] = useState(room.name);
  const [topic, setTopic] = useState(room.topic ?? "");
  const [error, setError] = useState<Problem | { local: "empty" } | null>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const nameId = useId();
  const topicId = useId();
  const topicHintId = useId();

  const act = async (work: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      await work();
      return true;
    } catch (err) {
      setError(problemOf(err));
      return false;
    } finally {
      setBusy(false);
    }
  };

  const save = async (event: FormEvent) => {
    event.preventDefault();
    const parsed = UpdateRoomBody.safeParse({ name, topic });
    if (!parsed.success) {
      setError({ local: "empty" });
      return;
    }
    if (await act(() => chat.updateRoom(room.id, parsed.data))) setSaved(true);
  };

  return (
    <form className="new-room" onSubmit={(event) => void save(event)}>
      <label className="field-label" htmlFor={nameId}>
        {t("room.settings.name")}
      </label>
      <input
        id={nameId}
        className="input"
        data-testid="room-settings-name"
        maxLength={MAX_ROOM_NAME_LENGTH}
        value={name}
        onChange={(event) => setName(event.target.value)}
      />
      <label className="field-label" htmlFor={topicId}>
        {t("room.settings.topic")}
      </label>
      <input
        id={topicId}
        className="input"
        data-testid="room-settings-topic"
        aria-describedby={topicHintId}
        maxLength={MAX_ROOM_TOPIC_LENGTH}
        value={topic}
        onChange={(event) => setTopic(event.target.value)}
      />
      <p className="field-hint" id={topicHintId}>
        {t("room.settings.topicHint")}
      </p>
      {error && (
        <p className="form-error" data-testid="room-settings-error" role="alert">
          {"local" in error ? t("room.settings.empty") : describe(error)}
        </p>
      )}
      {saved && (
        <p className="field-hint" role="status" data-testid="room-settings-saved">
          {t("room.settings.saved")}
        </p>
      )}
      <div className="dialog-actions">
        <button type="button" className="button" data-testid="room-settings-close" onClick={onDone}>
          {t("room.settings.cancel")}
        </button>
        <button
          type="submit"
          className="button button-primary"
          data-testid="room-settings-save"
          disabled={busy}
        >
          {t("room.settings.save")}
        </button>
      </div>
      <div className="danger-zone">
        <p className="field-hint">{t("room.settings.archiveHint")}</p>
        <button
          type="button"
          className="button"
          data-testid="room-settings-archive"
          disabled={busy}
          onClick={() =>
            void act(() => chat.updateRoom(room.id, { archived: !room.archived })).then((done) => {
              if (done) onDone();
            })
          }
        >
          {room.archived ? t("room.settings.restore") : t("room.settings.archive")}
        </button>
        {administrator && (
          <>
            <p className="field-hint">{t("room.settings.deleteHint")}</p>
            {confirmDelete ? (
              <button
                type="button"
                className="button button-danger"
                data-testid="room-settings-delete-confirm"
                disabled={busy}
                onClick={() =>
                  void act(() => chat.deleteRoom(room.id)).then((done) => {
                    if (!done) return;
                    onDone();
                    navigate(DEFAULT_ROOM_PATH);
                  })
                }
              >
                {t("room.settings.deleteConfirm", { room: room.name })}
              </button>
            ) : (
              <button
                type="button"
                className="button"
                data-testid="room-settings-delete"
                onClick={() => setConfirmDelete(true)}
              >
                {t("room.settings.delete")}
              </button>
            )}
          </>
        )}
      </div>
    </form>
  );
}
