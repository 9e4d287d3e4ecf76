import { type Room, RoomCreationPolicy } from "@parley/protocol";
import { useEffect, useId, useState } from "react";
import { problemOf } from "../api.js";
import { type Problem, roomPath } from "../core/index.js";
import { useProblemText } from "../i18n/problem-text.js";
import { useText } from "../i18n/use-text.js";
import { Link } from "../router.js";
import { useChatCore } from "../use-chat.js";
import { Modal } from "./Modal.js";

/** Administrators' workspace settings: who may create rooms. */
export function WorkspaceSettingsDialog({ open, onClose }: { open: boolean; onClose(): void }) {
  const t = useText();
  const titleId = useId();
  return (
    <Modal
      open={open}
      onClose={onClose}
      labelledBy={titleId}
      className="dialog"
      testId="workspace-settings-dialog"
    >
      <div className="dialog-body">
        <h2 className="dialog-title" id={titleId}>
          {t("workspace.title")}
        </h2>
        {open && <WorkspaceSettingsForm onClose={onClose} />}
      </div>
    </Modal>
  );
}

function WorkspaceSettingsForm({ onClose }: { onClose(): void }) {
  const chat = useChatCore();
  const t = useText();
  const describe = useProblemText();
  const [policy, setPolicy] = useState<RoomCreationPolicy | null>(null);
  const [error, setError] = useState<Problem | null>(null);
  const [saved, setSaved] = useState(false);
  const [archived, setArchived] = useState<Room[] | null>(null);

  useEffect(() => {
    let current = true;
    chat.roomCreationPolicy().then(
      (loaded) => current && setPolicy(loaded),
      (err: unknown) => current && setError(problemOf(err)),
    );
    chat.archivedRooms().then(
      (rooms) => current && setArchived(rooms),
      (err: unknown) => current && setError(problemOf(err)),
    );
    return () => {
      current = false;
    };
  }, [chat]);

  const choose = async (next: RoomCreationPolicy) => {
    const before = policy;
    setError(null);
    setSaved(false);
    // Shown chosen at once, put back if the server refuses.
    setPolicy(next);
    try {
      setPolicy(await chat.setRoomCreationPolicy(next));
      setSaved(true);
    } catch (err) {
      setPolicy(before);
      setError(problemOf(err));
    }
  };

  return (
    <div className="new-room">
      <fieldset className="theme-choice" disabled={policy === null}>
        <legend className="field-label">{t("workspace.roomCreation")}</legend>
        {RoomCreationPolicy.options.map((option) => (
          <label key={option} className="theme-option">
            <input
              type="radio"
              name="room-creation"
              value={option}
              data-testid={`room-creation-${option}`}
              checked={policy === option}
              onChange={() => void choose(option)}
            />
            {t(`workspace.roomCreation.${option}`)}
          </label>
        ))}
      </fieldset>
      <h3 className="field-label">{t("workspace.archivedRooms")}</h3>
      {archived && archived.length === 0 && <p className="field-hint">{t("workspace.archivedRooms.none")}</p>}
      {archived && archived.length > 0 && (
        <ul className="archived-rooms" data-testid="archived-rooms">
          {archived.map((room) => (
            <li key={room.id}>
              {/* Open it, then Restore in its settings. */}
              <Link to={roomPath(room.slug)} onClick={onClose}>
                #{room.name}
              </Link>
            </li>
          ))}
        </ul>
      )}
      <p className="field-hint">{t("workspace.archivedRooms.hint")}</p>
      {saved && (
        <p className="field-hint" role="status" data-testid="workspace-saved">
          {t("workspace.saved")}
        </p>
      )}
      {error && (
        <p className="form-error" role="alert">
          {describe(error)}
        </p>
      )}
      <div className="dialog-actions">
        <button type="button" className="button" data-testid="workspace-close" onClick={onClose}>
          {t("workspace.close")}
        </button>
      </div>
    </div>
  );
}
