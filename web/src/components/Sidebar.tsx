import { CreateRoomBody, type Member } from "@parley/protocol";
import { type FormEvent, useState } from "react";
import { describeError } from "../api.js";
import { unreadCount } from "../core/index.js";
import { Link, navigate } from "../router.js";
import { useChat, useChatCore } from "../use-chat.js";
import { Avatar } from "./Avatar.js";
import { ConnectionStatus } from "./ConnectionStatus.js";

export function Sidebar({ me }: { me: Member }) {
  const chat = useChatCore();
  const rooms = useChat((state) => state.rooms);
  const unreadByRoom = useChat((state) => state.unread);
  const route = useChat((state) => state.route);
  const activeSlug = route?.slug;
  const [signOutError, setSignOutError] = useState<string | null>(null);

  const signOut = async () => {
    setSignOutError(null);
    try {
      await chat.signOut();
    } catch (err) {
      setSignOutError(describeError(err));
    }
  };

  return (
    <nav className="sidebar" aria-label="Rooms">
      <div className="sidebar-header">
        <span className="brand">Parley</span>
        <ConnectionStatus />
      </div>

      <h2 className="sidebar-heading">Rooms</h2>
      <ul className="room-list">
        {rooms.map((room) => {
          const unread = unreadCount(unreadByRoom[room.id]);
          const active = room.slug === activeSlug;
          return (
            <li key={room.id}>
              <Link
                to={`/r/${encodeURIComponent(room.slug)}`}
                className={`room-link${active ? " active" : ""}${unread > 0 ? " has-unread" : ""}`}
                aria-current={active ? "page" : undefined}
                data-testid="room-link"
                data-slug={room.slug}
              >
                <span className="room-hash" aria-hidden="true">
                  #
                </span>
                <span className="room-name">{room.name}</span>
                {unread > 0 && (
                  <span
                    className="unread-badge"
                    data-testid="unread-badge"
                    title={`${unread} unread message${unread === 1 ? "" : "s"}`}
                  >
                    {unread}
                  </span>
                )}
              </Link>
            </li>
          );
        })}
      </ul>

      <NewRoomForm />

      <div className="sidebar-footer">
        <div className="me">
          <Avatar member={me} size={28} />
          <span className="me-name">{me.name}</span>
        </div>
        <button
          type="button"
          className="button button-small"
          data-testid="sign-out"
          onClick={() => void signOut()}
        >
          Sign out
        </button>
        {signOutError && (
          <p className="form-error" role="alert">
            {signOutError}
          </p>
        )}
      </div>
    </nav>
  );
}

function NewRoomForm() {
  const chat = useChatCore();
  const [name, setName] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    // Same rules as the server, so the obvious refusals need no round trip.
    const parsed = CreateRoomBody.safeParse({ name });
    if (!parsed.success) {
      setError(parsed.error.issues[0]?.message ?? "Invalid room name");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const room = await chat.createRoom(parsed.data.name);
      setName("");
      navigate(`/r/${encodeURIComponent(room.slug)}`);
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="new-room" onSubmit={(event) => void submit(event)}>
      <input
        className="input input-small"
        data-testid="new-room-name"
        placeholder="New room name"
        aria-label="New room name"
        value={name}
        onChange={(event) => {
          setName(event.target.value);
          setError(null);
        }}
      />
      <button type="submit" className="button button-small" data-testid="create-room" disabled={busy}>
        Create
      </button>
      {error && (
        <p className="form-error" data-testid="create-room-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
