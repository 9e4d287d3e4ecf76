import type { Member, Room } from "@parley/protocol";
import { useMemo, useState } from "react";
import {
  mentionCount,
  roomPath,
  roomTitle,
  sidebarRooms,
  totalMentions,
  unreadCount,
} from "../core/index.js";
import { useText } from "../i18n/use-text.js";
import { Link } from "../router.js";
import { useChat } from "../use-chat.js";
import { BrowseRoomsDialog } from "./BrowseRoomsDialog.js";
import { ConnectionStatus } from "./ConnectionStatus.js";
import { CreateRoomDialog } from "./CreateRoomDialog.js";
import { MentionsDialog } from "./MentionsDialog.js";
import { PeopleDialog, type PeopleDialogMode } from "./PeopleDialog.js";
import { UserMenu } from "./UserMenu.js";

interface SidebarProps {
  me: Member;
  /** Present when the sidebar is the phone's drawer: it then shows a close button. */
  onClose?: () => void;
}

export function Sidebar({ me, onClose }: SidebarProps) {
  const t = useText();
  const rooms = useChat((state) => state.rooms);
  const memberships = useChat((state) => state.memberships);
  const route = useChat((state) => state.route);
  const activeSlug = route?.slug;
  const [creating, setCreating] = useState(false);
  const [browsing, setBrowsing] = useState(false);
  const [peopleMode, setPeopleMode] = useState<PeopleDialogMode | null>(null);
  const listed = useMemo(() => sidebarRooms(rooms, memberships, me), [rooms, memberships, me]);
  // notify slice: mention badges beside the unread counts, and the list of recent mentions.
  const mentionsByRoom = useChat((state) => state.mentions);
  const unreadByRoom = useChat((state) => state.unread);
  const mentionTotal = totalMentions(mentionsByRoom, unreadByRoom);
  const [showingMentions, setShowingMentions] = useState(false);

  return (
    <nav className="sidebar" aria-label={t("sidebar.label")} data-testid="sidebar">
      <div className="sidebar-header">
        <span className="brand">Parley</span>
        <ConnectionStatus />
        {onClose && (
          <button
            type="button"
            className="icon-button sidebar-close"
            data-testid="close-rooms"
            aria-label={t("sidebar.closeRooms")}
            onClick={onClose}
          >
            <span aria-hidden="true">×</span>
          </button>
        )}
      </div>

      <div className="sidebar-section">
        <h2 className="sidebar-heading" id="rooms-heading">
          {t("sidebar.heading")}
        </h2>
        <button
          type="button"
          className="icon-button new-room-button"
          data-testid="new-room-open"
          aria-label={t("createRoom.open")}
          title={t("createRoom.open")}
          onClick={() => setCreating(true)}
        >
          <span aria-hidden="true">+</span>
        </button>
      </div>
      <ul className="room-list" aria-labelledby="rooms-heading" data-testid="room-list">
        {listed.rooms
          // Archived rooms leave the list (admin slice); the one on screen stays until you move on.
          .filter((room) => !room.archived || room.slug === activeSlug)
          .map((room) => (
            <RoomLink key={room.id} room={room} active={room.slug === activeSlug} onClose={onClose} />
          ))}
      </ul>
      <button
        type="button"
        className="link-button sidebar-browse"
        data-testid="browse-open"
        onClick={() => setBrowsing(true)}
      >
        {t("sidebar.browse")}
      </button>

      <div className="sidebar-section">
        <h2 className="sidebar-heading" id="direct-heading">
          {t("sidebar.direct")}
        </h2>
        <button
          type="button"
          className="icon-button new-room-button"
          data-testid="new-direct-open"
          aria-label={t("sidebar.newDirect")}
          title={t("sidebar.newDirect")}
          onClick={() => setPeopleMode({ kind: "direct" })}
        >
          <span aria-hidden="true">+</span>
        </button>
      </div>
      <ul className="room-list" aria-labelledby="direct-heading" data-testid="direct-list">
        {listed.direct.map((room) => (
          <RoomLink key={room.id} room={room} active={room.slug === activeSlug} onClose={onClose} />
        ))}
      </ul>

      <BrowseRoomsDialog open={browsing} onClose={() => setBrowsing(false)} />
      <PeopleDialog mode={peopleMode} onClose={() => setPeopleMode(null)} testId="direct-dialog" />
      <CreateRoomDialog open={creating} onClose={() => setCreating(false)} />

      <button
        type="button"
        className="mentions-button"
        data-testid="mentions-open"
        aria-label={mentionTotal > 0 ? t("mentions.openCount", { count: mentionTotal }) : t("mentions.open")}
        onClick={() => setShowingMentions(true)}
      >
        <span aria-hidden="true">@</span> {t("mentions.open")}
        {mentionTotal > 0 && (
          <span className="mention-badge" aria-hidden="true">
            {mentionTotal}
          </span>
        )}
      </button>
      <MentionsDialog
        open={showingMentions}
        onClose={() => {
          setShowingMentions(false);
          onClose?.();
        }}
      />

      <div className="sidebar-footer">
        <UserMenu me={me} />
      </div>
    </nav>
  );
}

/** The mark before a room's name: # for open rooms, a lock for private ones, @ for direct messages. */
export function RoomMark({ room }: { room: Room }) {
  const t = useText();
  if (room.kind === "private")
    return (
      <span
        className="room-hash room-lock"
        role="img"
        aria-label={t("room.privateLabel")}
        data-testid="private-mark"
      >
        <svg viewBox="0 0 16 16" width="12" height="12" aria-hidden="true" focusable="false">
          <rect x="3" y="7" width="10" height="8" rx="1.5" fill="currentColor" />
          <path d="M5 7V5a3 3 0 0 1 6 0v2" fill="none" stroke="currentColor" strokeWidth="1.6" />
        </svg>
      </span>
    );
  return (
    <span className="room-hash" aria-hidden="true">
      {room.kind === "direct" ? "@" : "#"}
    </span>
  );
}

function RoomLink({
  room,
  active,
  onClose,
}: {
  room: Room;
  active: boolean;
  onClose?: (() => void) | undefined;
}) {
  const t = useText();
  const me = useChat((state) => state.me);
  const unreadPosition = useChat((state) => state.unread[room.id]);
  const unread = unreadCount(unreadPosition);
  const mentioned = mentionCount(
    useChat((state) => state.mentions[room.id]),
    unreadPosition,
  );
  const title = roomTitle(room, me);
  return (
    <li>
      <Link
        to={roomPath(room.slug)}
        className={`room-link${active ? " active" : ""}${unread > 0 ? " has-unread" : ""}`}
        aria-current={active ? "page" : undefined}
        data-testid="room-link"
        data-slug={room.slug}
        data-kind={room.kind}
        title={title}
        onClick={active ? onClose : undefined}
      >
        <RoomMark room={room} />
        <span className="room-name">{title}</span>
        {mentioned > 0 && (
          <>
            <span className="mention-badge" data-testid="mention-badge" aria-hidden="true">
              @{mentioned}
            </span>
            <span className="visually-hidden" data-testid="mention-text">
              {`, ${t("sidebar.mentions", { count: mentioned })}`}
            </span>
          </>
        )}
        {unread > 0 && (
          <>
            {/* The number is for the eye; screen readers get the sentence. */}
            <span className="unread-badge" data-testid="unread-badge" aria-hidden="true">
              {unread}
            </span>
            <span className="visually-hidden" data-testid="unread-text">
              {`, ${t("sidebar.unread", { count: unread })}`}
            </span>
          </>
        )}
      </Link>
    </li>
  );
}
