import { ChatPage } from "./components/ChatPage.js";
import { SignInPage } from "./components/SignInPage.js";
import { DEFAULT_ROOM_PATH, locate } from "./core/index.js";
import { Redirect, usePathname, useSearch } from "./router.js";

export function App() {
  const location = locate(usePathname(), useSearch());
  if (location.page === "signin") return <SignInPage />;
  if (location.page === "room") return <ChatPage slug={location.slug} seq={location.seq} />;
  return <Redirect to={DEFAULT_ROOM_PATH} />;
}
