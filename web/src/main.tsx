import "./zod-jitless.js";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App.js";
import { createBrowserChatCore } from "./browser-core.js";
import { createBrowserUploadDrafts } from "./browser-uploader.js";
import { LocaleProvider } from "./i18n/LocaleProvider.js";
import { applyStoredTheme } from "./theme.js";
import { ChatProvider } from "./use-chat.js";
import { UploadDraftsProvider } from "./use-upload-drafts.js";
import { trackVisualViewport } from "./viewport.js";
import "./styles.css";

applyStoredTheme();
trackVisualViewport();

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element");
// One core per page; it opens its socket only once ChatPage starts it (not on the sign-in page).
const core = createBrowserChatCore();
// files (issue 16): the files of each room's next message, uploading as soon as they are picked.
const uploadDrafts = createBrowserUploadDrafts();
createRoot(root).render(
  <StrictMode>
    <LocaleProvider>
      <ChatProvider core={core}>
        <UploadDraftsProvider drafts={uploadDrafts}>
          <App />
        </UploadDraftsProvider>
      </ChatProvider>
    </LocaleProvider>
  </StrictMode>,
);
