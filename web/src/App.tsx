import { ChatPage } from "./components/ChatPage.js";
import { SignInPage } from "./components/SignInPage.js";
import { Redirect, usePathname } from "./router.js";

const ROOM_PATH = /^\/r\/([^/]+)\/?$/;

export function App() {
  const path = usePathname();
  if (path === "/signin") return <SignInPage />;
  const slug = roomSlug(path);
  if (slug !== null) return <ChatPage slug={slug} />;
  return <Redirect to="/r/general" />;
}

function roomSlug(path: string): string | null {
  const match = ROOM_PATH.exec(path);
  if (!match?.[1]) return null;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    // A malformed escape in a hand-typed URL should land on the default room, not crash.
    return null;
  }
}
