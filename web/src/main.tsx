import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App.js";
import { LocaleProvider } from "./i18n/LocaleProvider.js";
import { applyStoredTheme } from "./theme.js";
import { trackVisualViewport } from "./viewport.js";
import "./styles.css";

applyStoredTheme();
trackVisualViewport();

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element");
createRoot(root).render(
  <StrictMode>
    <LocaleProvider>
      <App />
    </LocaleProvider>
  </StrictMode>,
);
