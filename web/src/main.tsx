import "./zod-jitless.js";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App.js";
import { createBrowserChatCore } from "./browser-core.js";
import { LocaleProvider } from "./i18n/LocaleProvider.js";
import { applyStoredTheme } from "./theme.js";
import { ChatProvider } from "./use-chat.js";
import { trackVisualViewport } from "./viewport.js";
import "./styles.css";

applyStoredTheme();
trackVisualViewport();

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element");
// One core per page; it opens its socket only once ChatPage starts it (not on the sign-in page).
const core = createBrowserChatCore();
createRoot(root).render(
  <StrictMode>
    <LocaleProvider>
      <ChatProvider core={core}>
        <App />
      </ChatProvider>
    </LocaleProvider>
  </StrictMode>,
);
