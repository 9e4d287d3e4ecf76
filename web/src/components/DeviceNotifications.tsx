import { useEffect, useState } from "react";
import {
  type DeviceNotificationState,
  deviceNotificationState,
  disableDeviceNotifications,
  enableDeviceNotifications,
} from "../browser-notifications.js";
import { problemOf } from "../core/index.js";
import { useProblemText } from "../i18n/problem-text.js";
import { useText } from "../i18n/use-text.js";
import { useChatCore } from "../use-chat.js";

/** "Notifications on this device: On / Turn on" in the user menu. */
export function DeviceNotifications() {
  const chat = useChatCore();
  const t = useText();
  const describe = useProblemText();
  const [state, setState] = useState<DeviceNotificationState | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let current = true;
    deviceNotificationState().then(
      (found) => current && setState(found),
      () => current && setState("unsupported"),
    );
    return () => {
      current = false;
    };
  }, []);

  const toggle = async () => {
    setBusy(true);
    setError(null);
    try {
      setState(
        state === "on" ? await disableDeviceNotifications(chat) : await enableDeviceNotifications(chat),
      );
    } catch (err) {
      const problem = problemOf(err);
      setError(
        t("notifications.failed", {
          reason: problem.code === "unexpected" && err instanceof Error ? err.message : describe(problem),
        }),
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="device-notifications" data-testid="device-notifications">
      <span className="field-label">{t("notifications.device")}</span>
      {state === "unsupported" || state === "blocked" ? (
        <span className="muted">
          {t(state === "blocked" ? "notifications.blocked" : "notifications.unsupported")}
        </span>
      ) : (
        <span className="device-notifications-row">
          <span data-testid="device-notifications-state">
            {t(state === "on" ? "notifications.on" : "notifications.off")}
          </span>
          <button
            type="button"
            className="button"
            data-testid="device-notifications-toggle"
            disabled={busy || state === null}
            onClick={() => void toggle()}
          >
            {t(state === "on" ? "notifications.disable" : "notifications.enable")}
          </button>
        </span>
      )}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
