import { CreateRoomBody, MAX_ROOM_NAME_LENGTH } from "@parley/protocol";
import { type FormEvent, useId, useState } from "react";
import { problemOf } from "../api.js";
import { type Problem, roomPath } from "../core/index.js";
import { useProblemText } from "../i18n/problem-text.js";
import { useText } from "../i18n/use-text.js";
import { navigate } from "../router.js";
import { useChatCore } from "../use-chat.js";
import { Modal } from "./Modal.js";

export function CreateRoomDialog({ open, onClose }: { open: boolean; onClose(): void }) {
  const t = useText();
  const titleId = useId();
  return (
    <Modal open={open} onClose={onClose} labelledBy={titleId} className="dialog" testId="create-room-dialog">
      <div className="dialog-body">
        <h2 className="dialog-title" id={titleId}>
          {t("createRoom.title")}
        </h2>
        <NewRoomForm onDone={onClose} />
      </div>
    </Modal>
  );
}

function NewRoomForm({ onDone }: { onDone(): void }) {
  const chat = useChatCore();
  const t = useText();
  const describe = useProblemText();
  const [name, setName] = useState("");
  const [isPrivate, setPrivate] = useState(false);
  const privateId = useId();
  // Kept as a code, worded on render, like every error on screen.
  const [error, setError] = useState<Problem | { local: "empty" | "tooLong" } | null>(null);
  const [busy, setBusy] = useState(false);
  const inputId = useId();
  const hintId = useId();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    // Same rules as the server, so the obvious refusals need no round trip.
    const parsed = CreateRoomBody.safeParse({ name });
    if (!parsed.success) {
      const tooLong = parsed.error.issues[0]?.code === "too_big";
      setError({ local: tooLong ? "tooLong" : "empty" });
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const room = await chat.createRoom(parsed.data.name, isPrivate ? "private" : "open");
      setName("");
      onDone();
      navigate(roomPath(room.slug));
    } catch (err) {
      setError(problemOf(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="new-room" onSubmit={(event) => void submit(event)}>
      <label className="field-label" htmlFor={inputId}>
        {t("createRoom.name")}
      </label>
      <input
        id={inputId}
        className="input"
        data-testid="new-room-name"
        aria-describedby={hintId}
        value={name}
        onChange={(event) => {
          setName(event.target.value);
          setError(null);
        }}
      />
      <label className="checkbox-field" htmlFor={privateId}>
        <input
          id={privateId}
          type="checkbox"
          data-testid="new-room-private"
          checked={isPrivate}
          onChange={(event) => setPrivate(event.target.checked)}
        />
        {t("createRoom.private")}
      </label>
      <p className="field-hint" id={hintId}>
        {isPrivate ? t("createRoom.hintPrivate") : t("createRoom.hint")}
      </p>
      {error && (
        <p className="form-error" data-testid="create-room-error" role="alert">
          {"local" in error
            ? error.local === "tooLong"
              ? t("createRoom.tooLong", { max: MAX_ROOM_NAME_LENGTH })
              : t("createRoom.empty")
            : describe(error)}
        </p>
      )}
      <div className="dialog-actions">
        <button type="button" className="button" data-testid="create-room-cancel" onClick={onDone}>
          {t("createRoom.cancel")}
        </button>
        <button type="submit" className="button button-primary" data-testid="create-room" disabled={busy}>
          {t("createRoom.submit")}
        </button>
      </div>
    </form>
  );
}
