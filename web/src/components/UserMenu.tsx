import type { Member } from "@parley/protocol";
import { useEffect, useId, useRef, useState } from "react";
import { problemOf } from "../api.js";
import type { Problem } from "../core/index.js";
import { useProblemText } from "../i18n/problem-text.js";
import { useText } from "../i18n/use-text.js";
import { type ThemePreference, useThemePreference } from "../theme.js";
import { useChat, useChatCore } from "../use-chat.js";
import { Avatar } from "./Avatar.js";
import { DeviceNotifications } from "./DeviceNotifications.js";
import { LanguageSelect } from "./LanguageSelect.js";
import { WorkspaceSettingsDialog } from "./WorkspaceSettingsDialog.js";

const THEMES: readonly ThemePreference[] = ["system", "light", "dark"];

/** Who is signed in, with the per-browser settings and sign-out behind it (a disclosure, not an ARIA menu). */
export function UserMenu({ me }: { me: Member }) {
  const chat = useChatCore();
  const t = useText();
  const describe = useProblemText();
  const [open, setOpen] = useState(false);
  const [theme, setTheme] = useThemePreference();
  const [signOutError, setSignOutError] = useState<Problem | null>(null);
  const administrator = useChat((state) => state.role === "administrator");
  const [workspaceOpen, setWorkspaceOpen] = useState(false);
  const panelId = useId();
  const rootRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!open) return;
    const onPointerDown = (event: PointerEvent) => {
      if (!rootRef.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener("pointerdown", onPointerDown);
    return () => document.removeEventListener("pointerdown", onPointerDown);
  }, [open]);

  const signOut = async () => {
    setSignOutError(null);
    try {
      await chat.signOut();
    } catch (err) {
      setSignOutError(problemOf(err));
    }
  };

  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: catches Escape from any control inside the open panel
    <div
      className="user-menu"
      ref={rootRef}
      onKeyDown={(event) => {
        if (event.key === "Escape" && open) {
          // Inside the phone drawer Escape would otherwise close the drawer as well.
          event.preventDefault();
          event.stopPropagation();
          setOpen(false);
          buttonRef.current?.focus();
        }
      }}
    >
      {open && (
        <div className="user-menu-panel" id={panelId} data-testid="user-menu-panel">
          <fieldset className="theme-choice">
            <legend className="field-label">{t("userMenu.theme")}</legend>
            {THEMES.map((option) => (
              <label key={option} className="theme-option">
                <input
                  type="radio"
                  name="theme"
                  value={option}
                  data-testid={`theme-${option}`}
                  checked={theme === option}
                  onChange={() => setTheme(option)}
                />
                {t(`userMenu.theme.${option}`)}
              </label>
            ))}
          </fieldset>
          <LanguageSelect className="user-menu-language" />
          {administrator && (
            <button
              type="button"
              className="button"
              data-testid="open-workspace-settings"
              onClick={() => {
                setOpen(false);
                setWorkspaceOpen(true);
              }}
            >
              {t("workspace.open")}
            </button>
          )}
          <DeviceNotifications />
          <button
            type="button"
            className="button user-menu-signout"
            data-testid="sign-out"
            onClick={() => void signOut()}
          >
            {t("userMenu.signOut")}
          </button>
          {signOutError && (
            <p className="form-error" role="alert">
              {describe(signOutError)}
            </p>
          )}
        </div>
      )}
      <button
        ref={buttonRef}
        type="button"
        className="user-menu-button"
        data-testid="user-menu"
        aria-expanded={open}
        aria-controls={open ? panelId : undefined}
        aria-label={t("userMenu.open", { name: me.name })}
        onClick={() => setOpen((current) => !current)}
      >
        <Avatar member={me} size={28} />
        <span className="me-name" title={me.name}>
          {me.name}
        </span>
        <span className="user-menu-caret" aria-hidden="true">
          {open ? "▾" : "▴"}
        </span>
      </button>
      {administrator && (
        <WorkspaceSettingsDialog open={workspaceOpen} onClose={() => setWorkspaceOpen(false)} />
      )}
    </div>
  );
}
