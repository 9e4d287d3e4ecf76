import { useEffect, useState } from "react";
import { DEFAULT_ROOM_PATH, EMPTY_ROOM, totalUnread } from "../core/index.js";
import { useProblemText } from "../i18n/problem-text.js";
import { useText } from "../i18n/use-text.js";
import { Link } from "../router.js";
import { useChat, useChatCore } from "../use-chat.js";
import { NO_MEMBER_COLUMN_QUERY, useMediaQuery } from "../use-media-query.js";
import { Composer } from "./Composer.js";
import { MemberPanel } from "./MemberPanel.js";
import { MessageList } from "./MessageList.js";
import { Modal } from "./Modal.js";
import { SearchButton } from "./SearchPanel.js";

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
  const memberCount = useChat((state) =>
    room ? (state.roomStates[room.id] ?? EMPTY_ROOM).members.length : 0,
  );
  const memberSheet = useMediaQuery(NO_MEMBER_COLUMN_QUERY);
  const [membersOpen, setMembersOpen] = useState(false);

  useEffect(() => {
    if (!room) document.title = "Parley";
    else if (unread > 0) document.title = t("room.documentTitleUnread", { count: unread, room: room.name });
    else document.title = t("room.documentTitle", { room: room.name });
  }, [room, unread, t]);

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
        <p>{t("room.missing", { slug: route.slug })}</p>
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
      <main className="room" key={room.id}>
        <header className="room-header">
          {roomsButton}
          <h1 className="room-title" title={room.name}>
            <span className="room-hash" aria-hidden="true">
              #
            </span>
            {room.name}
          </h1>
          <SearchButton roomId={room.id} roomName={room.name} />
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
        <MessageList roomId={room.id} roomName={room.name} />
        <Composer roomId={room.id} roomName={room.name} />
      </main>
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
