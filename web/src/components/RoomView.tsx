import { useEffect, useState } from "react";
import { DEFAULT_ROOM_PATH, EMPTY_ROOM, roomTitle, totalMentions, totalUnread } from "../core/index.js";
import { useProblemText } from "../i18n/problem-text.js";
import { useText } from "../i18n/use-text.js";
import { Link, navigate } from "../router.js";
import { useChat, useChatCore } from "../use-chat.js";
import { NO_MEMBER_COLUMN_QUERY, useMediaQuery } from "../use-media-query.js";
import { Composer } from "./Composer.js";
import { useFileDrop } from "./file-drop.js";
import { MemberPanel } from "./MemberPanel.js";
import { MessageList } from "./MessageList.js";
import { Modal } from "./Modal.js";
import { NotificationLevelSelect } from "./NotificationLevelSelect.js";
import { PeopleDialog, type PeopleDialogMode } from "./PeopleDialog.js";
import { RoomSettingsDialog } from "./RoomSettingsDialog.js";
import { SearchButton } from "./SearchPanel.js";
import { RoomMark } from "./Sidebar.js";
import { TypingLine } from "./TypingLine.js";

/** onOpenRooms: present when the room list is a drawer (phones); the header then shows its button. */
export function RoomView({ onOpenRooms }: { onOpenRooms?: () => void }) {
  const chat = useChatCore();
  const t = useText();
  const describe = useProblemText();
  const route = useChat((state) => state.route);
  const room = useChat((state) => {
    const current = state.route;
    return current?.status === "found"
      ? state.rooms.find((candidate) => candidate.id === current.roomId)
      : undefined;
  });

  const unread = useChat((state) => totalUnread(state.unread));
  // notify slice: mentions counted apart from unread messages, in the title too.
  const mentions = useChat((state) => totalMentions(state.mentions, state.unread));
  const memberCount = useChat((state) =>
    room ? (state.roomStates[room.id] ?? EMPTY_ROOM).members.length : 0,
  );
  const memberSheet = useMediaQuery(NO_MEMBER_COLUMN_QUERY);
  const [membersOpen, setMembersOpen] = useState(false);
  // Room settings (admin slice): administrators see the button; the server decides (creators too).
  const isAdministrator = useChat((state) => state.role === "administrator");
  const [settingsOpen, setSettingsOpen] = useState(false);
  const me = useChat((state) => state.me);
  const isMember = useChat((state) => (room ? state.memberships.includes(room.id) : false));
  const [peopleMode, setPeopleMode] = useState<PeopleDialogMode | null>(null);
  const title = room ? roomTitle(room, me) : "";
  // Administrators, and the creator of a room (not of a direct conversation); the server decides.
  const mayManage =
    room !== undefined &&
    room.kind !== "direct" &&
    (isAdministrator || (room.createdBy !== null && room.createdBy === me?.id));

  const leave = async () => {
    if (!room) return;
    const question = room.kind === "private" ? "room.leaveConfirmPrivate" : "room.leaveConfirm";
    if (!window.confirm(t(question, { room: room.name }))) return;
    try {
      await chat.leaveRoom(room.id);
      navigate(DEFAULT_ROOM_PATH);
    } catch {
      // The room stays as it was; the next attempt may go through.
    }
  };
  // files (issue 16): files dropped anywhere on the room go to its next message.
  const drop = useFileDrop(room?.id ?? "");

  useEffect(() => {
    if (!room) document.title = "Parley";
    else if (mentions > 0)
      document.title = t("room.documentTitleMentions", { count: unread, mentions, room: title });
    else if (unread > 0) document.title = t("room.documentTitleUnread", { count: unread, room: title });
    else document.title = t("room.documentTitle", { room: title });
  }, [room, title, unread, mentions, t]);

  const roomsButton = onOpenRooms && (
    <button
      type="button"
      className="icon-button rooms-button"
      data-testid="open-rooms"
      aria-label={
        unread > 0
          ? `${t("sidebar.openRooms")}, ${t("sidebar.unread", { count: unread })}`
          : t("sidebar.openRooms")
      }
      onClick={onOpenRooms}
    >
      <span className="hamburger" aria-hidden="true" />
      {unread > 0 && <span className="rooms-button-dot" aria-hidden="true" />}
    </button>
  );

  if (!route || route.status === "loading") {
    return (
      <main className="room room-placeholder">
        {roomsButton}
        <p className="muted">{t("room.loading")}</p>
      </main>
    );
  }
  if (route.status === "missing") {
    return (
      <main className="room room-placeholder">
        {roomsButton}
        <p data-testid="room-missing">{t("room.missing", { slug: route.slug })}</p>
        <Link to={DEFAULT_ROOM_PATH}>{t("room.goGeneral")}</Link>
      </main>
    );
  }
  if (route.status === "error") {
    return (
      <main className="room room-placeholder">
        {roomsButton}
        <p role="alert">{t("room.openError", { slug: route.slug, message: describe(route.problem) })}</p>
        <button type="button" className="button" onClick={() => chat.retryRoute()}>
          {t("room.retry")}
        </button>
      </main>
    );
  }
  if (!room) return null;

  // Keyed by room so scroll position, drafts and errors never leak from one room into another.
  return (
    <>
      <main className="room" key={room.id} {...drop.handlers}>
        {drop.dragging && (
          <div className="drop-overlay" data-testid="drop-overlay" aria-hidden="true">
            {t("composer.drop", { room: room.name })}
          </div>
        )}
        <header className="room-header">
          {roomsButton}
          <div className="room-heading">
            <h1 className="room-title" title={title} data-testid="room-title">
              <RoomMark room={room} />
              {title}
            </h1>
            {room.topic && (
              <p className="room-topic" title={room.topic} data-testid="room-topic">
                <span className="visually-hidden">{`${t("room.topic.label")}: `}</span>
                {room.topic}
              </p>
            )}
          </div>
          <SearchButton roomId={room.id} roomName={title} />
          <NotificationLevelSelect roomId={room.id} />
          {mayManage && (
            <button
              type="button"
              className="icon-button room-settings-button"
              data-testid="open-room-settings"
              aria-label={t("room.settings.open")}
              title={t("room.settings.open")}
              onClick={() => setSettingsOpen(true)}
            >
              <span aria-hidden="true">⚙</span>
            </button>
          )}
          {room.kind === "private" && isMember && (
            <button
              type="button"
              className="icon-button"
              data-testid="invite-open"
              aria-label={t("room.invite")}
              title={t("room.invite")}
              onClick={() => setPeopleMode({ kind: "invite", room })}
            >
              <svg className="members-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
                <circle cx="10" cy="8" r="4" fill="currentColor" />
                <path d="M2 21a8 8 0 0 1 16 0z" fill="currentColor" />
                <path d="M19 7v6M16 10h6" stroke="currentColor" strokeWidth="2" />
              </svg>
            </button>
          )}
          {room.kind !== "direct" && isMember && (
            <button
              type="button"
              className="icon-button"
              data-testid="leave-room"
              aria-label={t("room.leave")}
              title={t("room.leave")}
              onClick={() => void leave()}
            >
              <svg className="members-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
                <path
                  d="M10 4H5v16h5M15 8l4 4-4 4M19 12H9"
                  fill="none"
                  stroke="currentColor"
                  strokeWidth="2"
                />
              </svg>
            </button>
          )}
          {memberSheet && (
            <button
              type="button"
              className="icon-button members-button"
              data-testid="open-members"
              aria-label={t("members.open", { count: memberCount })}
              onClick={() => setMembersOpen(true)}
            >
              <svg className="members-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
                <circle cx="12" cy="8" r="4" fill="currentColor" />
                <path d="M4 21a8 8 0 0 1 16 0z" fill="currentColor" />
              </svg>
              <span aria-hidden="true">{memberCount}</span>
            </button>
          )}
        </header>
        <MessageList roomId={room.id} roomName={title} />
        <TypingLine roomId={room.id} />
        {room.archived ? (
          <p className="archived-notice" role="status" data-testid="archived-notice">
            {t("room.archived.notice")}
          </p>
        ) : (
          <Composer roomId={room.id} roomName={title} />
        )}
      </main>
      {mayManage && (
        <RoomSettingsDialog room={room} open={settingsOpen} onClose={() => setSettingsOpen(false)} />
      )}
      <PeopleDialog mode={peopleMode} onClose={() => setPeopleMode(null)} testId="invite-dialog" />
      {memberSheet ? (
        <Modal
          open={membersOpen}
          onClose={() => setMembersOpen(false)}
          label={t("members.label")}
          className="sheet"
          testId="members-sheet"
        >
          <MemberPanel roomId={room.id} onClose={() => setMembersOpen(false)} />
        </Modal>
      ) : (
        <MemberPanel roomId={room.id} />
      )}
    </>
  );
}
