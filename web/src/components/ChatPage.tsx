import { useEffect } from "react";
import { useChat, useChatCore } from "../use-chat.js";
import { RoomView } from "./RoomView.js";
import { Sidebar } from "./Sidebar.js";

/** The signed-in app for /r/:slug: starts the store once, then follows the URL's room. */
export function ChatPage({ slug }: { slug: string }) {
  const chat = useChatCore();
  const me = useChat((state) => state.me);
  const startupError = useChat((state) => state.startupError);

  useEffect(() => chat.start(), [chat]);
  useEffect(() => chat.openSlug(slug), [chat, slug]);

  if (!me) {
    return (
      <main className="splash">
        {startupError ? (
          <p role="alert">{startupError} Retrying…</p>
        ) : (
          <p className="muted">Loading Parley…</p>
        )}
      </main>
    );
  }

  return (
    <div className="app">
      <Sidebar me={me} />
      <RoomView />
    </div>
  );
}
