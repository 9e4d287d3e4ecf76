import { useEffect, useState } from "react";

import { useProblemText } from "../i18n/problem-text.js";
import { useText } from "../i18n/use-text.js";
import { useChat, useChatCore } from "../use-chat.js";
import { PHONE_QUERY, useMediaQuery } from "../use-media-query.js";
import { Modal } from "./Modal.js";
import { RoomView } from "./RoomView.js";
import { Sidebar } from "./Sidebar.js";

/**
 * The signed-in app for /r/:slug: starts the store once, then follows the URL's room.
 * On a phone the room list is a drawer (a modal dialog) opened from the room header.
 */
/** `seq`: the message the address opens the room at (`/r/<slug>?m=<seq>`). */
export function ChatPage({ slug, seq }: { slug: string; seq?: number | undefined }) {
  const chat = useChatCore();
  const t = useText();
  const describe = useProblemText();
  const me = useChat((state) => state.me);
  const startupError = useChat((state) => state.startupError);
  const phone = useMediaQuery(PHONE_QUERY);
  const [drawerOpen, setDrawerOpen] = useState(false);

  useEffect(() => chat.start(), [chat]);
  useEffect(() => chat.openSlug(slug, seq), [chat, slug, seq]);
  // Picking a room in the drawer is what the drawer was opened for.
  // biome-ignore lint/correctness/useExhaustiveDependencies: closes on every change of room
  useEffect(() => setDrawerOpen(false), [slug]);

  if (!me) {
    return (
      <main className="splash">
        {startupError ? (
          <p role="alert">{t("app.startupError", { error: describe(startupError) })}</p>
        ) : (
          <p className="muted">{t("app.loading")}</p>
        )}
      </main>
    );
  }

  return (
    <div className="app">
      {phone ? (
        <Modal
          open={drawerOpen}
          onClose={() => setDrawerOpen(false)}
          label={t("sidebar.label")}
          className="drawer"
          testId="rooms-drawer"
        >
          <Sidebar me={me} onClose={() => setDrawerOpen(false)} />
        </Modal>
      ) : (
        <Sidebar me={me} />
      )}
      <RoomView onOpenRooms={phone ? () => setDrawerOpen(true) : undefined} />
    </div>
  );
}
