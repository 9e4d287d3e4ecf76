import { useEffect } from "react";
import { totalUnread } from "../core/index.js";
import { Link } from "../router.js";
import { useChat, useChatCore } from "../use-chat.js";
import { Composer } from "./Composer.js";
import { MemberPanel } from "./MemberPanel.js";
import { MessageList } from "./MessageList.js";

export function RoomView() {
  const chat = useChatCore();
  const route = useChat((state) => state.route);
  const room = useChat((state) => {
    const current = state.route;
    return current?.status === "found"
      ? state.rooms.find((candidate) => candidate.id === current.roomId)
      : undefined;
  });

  const unread = useChat((state) => totalUnread(state.unread));

  useEffect(() => {
    const place = room ? `#${room.name} · Parley` : "Parley";
    document.title = unread > 0 ? `(${unread}) ${place}` : place;
  }, [room, unread]);

  if (!route || route.status === "loading") {
    return (
      <main className="room room-placeholder">
        <p className="muted">Loading room…</p>
      </main>
    );
  }
  if (route.status === "missing") {
    return (
      <main className="room room-placeholder">
        <p>There is no room called #{route.slug}.</p>
        <Link to="/r/general">Go to #general</Link>
      </main>
    );
  }
  if (route.status === "error") {
    return (
      <main className="room room-placeholder">
        <p role="alert">
          Could not open #{route.slug}: {route.message}
        </p>
        <button type="button" className="button" onClick={() => chat.retryRoute()}>
          Try again
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
          <h1 className="room-title">
            <span className="room-hash" aria-hidden="true">
              #
            </span>
            {room.name}
          </h1>
        </header>
        <MessageList roomId={room.id} roomName={room.name} />
        <Composer roomId={room.id} roomName={room.name} />
      </main>
      <MemberPanel roomId={room.id} />
    </>
  );
}
