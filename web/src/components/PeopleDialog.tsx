import { MAX_DIRECT_PEOPLE, type Member, type PeoplePage, type Room } from "@parley/protocol";
import { useEffect, useId, useState } from "react";
import { problemOf } from "../api.js";
import { type Problem, roomPath } from "../core/index.js";
import { useProblemText } from "../i18n/problem-text.js";
import { useText } from "../i18n/use-text.js";
import { navigate } from "../router.js";
import { useChat, useChatCore } from "../use-chat.js";
import { Avatar } from "./Avatar.js";
import { Modal } from "./Modal.js";

/** direct: pick people and start (or find again) a direct message. invite: add people to a room. */
export type PeopleDialogMode = { kind: "direct" } | { kind: "invite"; room: Room };

export function PeopleDialog({
  mode,
  onClose,
  testId,
}: {
  /** null: closed. */
  mode: PeopleDialogMode | null;
  onClose(): void;
  /** Each opener has its own dialog: the room list's (direct messages) and the room header's (invitations). */
  testId: "direct-dialog" | "invite-dialog";
}) {
  const t = useText();
  const titleId = useId();
  return (
    <Modal open={mode !== null} onClose={onClose} labelledBy={titleId} className="dialog" testId={testId}>
      {mode && (
        <div className="dialog-body">
          <h2 className="dialog-title" id={titleId}>
            {mode.kind === "direct" ? t("people.title") : t("people.inviteTitle", { room: mode.room.name })}
          </h2>
          <PeoplePicker mode={mode} onDone={onClose} />
        </div>
      )}
    </Modal>
  );
}

/** The people directory, filtered by name as one types, paged with "Show more". */
function PeoplePicker({ mode, onDone }: { mode: PeopleDialogMode; onDone(): void }) {
  const chat = useChatCore();
  const t = useText();
  const describe = useProblemText();
  const me = useChat((state) => state.me);
  const [filter, setFilter] = useState("");
  const [page, setPage] = useState<PeoplePage | null>(null);
  const [people, setPeople] = useState<Member[]>([]);
  const [selected, setSelected] = useState<Member[]>([]);
  const [invited, setInvited] = useState<string[]>([]);
  const [error, setError] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const filterId = useId();

  useEffect(() => {
    let current = true;
    chat.people(filter.trim()).then(
      (first) => {
        if (!current) return;
        setPage(first);
        setPeople(first.people);
        setError(null);
      },
      (err: unknown) => current && setError(problemOf(err)),
    );
    return () => {
      current = false;
    };
  }, [chat, filter]);

  const more = async () => {
    if (!page?.nextCursor) return;
    try {
      const next = await chat.people(filter.trim(), page.nextCursor);
      setPage(next);
      setPeople((shown) => [...shown, ...next.people]);
    } catch (err) {
      setError(problemOf(err));
    }
  };

  const full = selected.length >= MAX_DIRECT_PEOPLE - 1;
  const toggle = (person: Member) =>
    setSelected((current) =>
      current.some((p) => p.id === person.id)
        ? current.filter((p) => p.id !== person.id)
        : full
          ? current
          : [...current, person],
    );

  const startDirect = async () => {
    if (selected.length === 0) return;
    setBusy(true);
    try {
      const room = await chat.openDirect(selected.map((person) => person.id));
      onDone();
      navigate(roomPath(room.slug));
    } catch (err) {
      setError(problemOf(err));
    } finally {
      setBusy(false);
    }
  };

  const invite = async (person: Member) => {
    if (mode.kind !== "invite") return;
    setBusy(true);
    try {
      await chat.invite(mode.room.id, person.id);
      setInvited((done) => [...done, person.id]);
      setError(null);
    } catch (err) {
      setError(problemOf(err));
    } finally {
      setBusy(false);
    }
  };

  const lastInvited = people.find((person) => person.id === invited.at(-1));
  return (
    <div className="people-picker">
      <label className="field-label" htmlFor={filterId}>
        {t("people.filter")}
      </label>
      <input
        id={filterId}
        className="input"
        type="search"
        data-testid="people-filter"
        value={filter}
        onChange={(event) => setFilter(event.target.value)}
      />
      {error && (
        <p className="form-error" role="alert" data-testid="people-error">
          {describe(error)}
        </p>
      )}
      {lastInvited && (
        <p className="field-hint" role="status" data-testid="people-invited">
          {t("people.invited", { name: lastInvited.name })}
        </p>
      )}
      <ul className="people-list" data-testid="people-list">
        {page && people.length === 0 && <li className="muted">{t("people.none")}</li>}
        {people.map((person) => {
          const isMe = person.id === me?.id;
          const checked = selected.some((p) => p.id === person.id);
          return (
            <li key={person.id} className="person" data-testid="person" data-name={person.name}>
              <Avatar member={person} size={24} />
              <span className="person-name" title={person.name}>
                {person.name} {isMe && <span className="muted">{t("people.you")}</span>}
              </span>
              {mode.kind === "direct" && !isMe && (
                <input
                  type="checkbox"
                  className="person-check"
                  data-testid="person-select"
                  aria-label={person.name}
                  checked={checked}
                  disabled={!checked && full}
                  onChange={() => toggle(person)}
                />
              )}
              {mode.kind === "invite" && !isMe && (
                <button
                  type="button"
                  className="button"
                  data-testid="person-invite"
                  aria-label={t("people.inviteNamed", { name: person.name })}
                  disabled={busy || invited.includes(person.id)}
                  onClick={() => void invite(person)}
                >
                  {t("people.invite")}
                </button>
              )}
            </li>
          );
        })}
      </ul>
      {page?.nextCursor && (
        <button type="button" className="link-button" onClick={() => void more()}>
          {t("people.more")}
        </button>
      )}
      {mode.kind === "direct" && (
        <p className="field-hint" aria-live="polite">
          {full
            ? t("people.maxSelected", { max: MAX_DIRECT_PEOPLE })
            : t("people.selected", { count: selected.length })}
        </p>
      )}
      <div className="dialog-actions">
        <button type="button" className="button" data-testid="people-close" onClick={onDone}>
          {t("people.cancel")}
        </button>
        {mode.kind === "direct" && (
          <button
            type="button"
            className="button button-primary"
            data-testid="people-message"
            disabled={busy || selected.length === 0}
            onClick={() => void startDirect()}
          >
            {t("people.message")}
          </button>
        )}
      </div>
    </div>
  );
}
