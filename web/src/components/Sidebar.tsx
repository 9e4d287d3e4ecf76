import type { Member } from "@parley/protocol";
import { useState } from "react";
import { roomPath, unreadCount } from "../core/index.js";
import { useText } from "../i18n/use-text.js";
import { Link } from "../router.js";
import { useChat } from "../use-chat.js";
import { ConnectionStatus } from "./ConnectionStatus.js";
import { CreateRoomDialog } from "./CreateRoomDialog.js";
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
          // Archived rooms leave the list (admin slice); the one on screen stays until you move on.
          if (room.archived && room.slug !== activeSlug) return null;
          const unread = unreadCount(unreadByRoom[room.id]);
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

      <div className="sidebar-footer">
        <UserMenu me={me} />
      </div>
    </nav>
  );
}
