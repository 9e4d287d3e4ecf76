import type { Member } from "@parley/protocol";
import { useState } from "react";
import { mentionCount, roomPath, totalMentions, unreadCount } from "../core/index.js";
import { useText } from "../i18n/use-text.js";
import { Link } from "../router.js";
import { useChat } from "../use-chat.js";
import { ConnectionStatus } from "./ConnectionStatus.js";
import { CreateRoomDialog } from "./CreateRoomDialog.js";
import { MentionsDialog } from "./MentionsDialog.js";
import { UserMenu } from "./UserMenu.js";

interface SidebarProps {
  me: Member;
  /** Present when the sidebar is the phone's drawer: it then shows a close button. */
  onClose?: () => void;
}

export function Sidebar({ me, onClose }: SidebarProps) {
  const t = useText();
  const rooms = useChat((state) => state.rooms);
  const unreadByRoom = useChat((state) => state.unread);
  const route = useChat((state) => state.route);
  const activeSlug = route?.slug;
  const [creating, setCreating] = useState(false);
  // notify slice: mention badges beside the unread counts, and the list of recent mentions.
  const mentionsByRoom = useChat((state) => state.mentions);
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
      <ul className="room-list" aria-labelledby="rooms-heading">
        {rooms.map((room) => {
          const unread = unreadCount(unreadByRoom[room.id]);
          const mentioned = mentionCount(mentionsByRoom[room.id], unreadByRoom[room.id]);
          const active = room.slug === activeSlug;
          return (
            <li key={room.id}>
              <Link
                to={roomPath(room.slug)}
                className={`room-link${active ? " active" : ""}${unread > 0 ? " has-unread" : ""}`}
                aria-current={active ? "page" : undefined}
                data-testid="room-link"
                data-slug={room.slug}
                title={room.name}
                onClick={active ? onClose : undefined}
              >
                <span className="room-hash" aria-hidden="true">
                  #
                </span>
                <span className="room-name">{room.name}</span>
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
        })}
      </ul>

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
