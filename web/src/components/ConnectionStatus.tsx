import { useText } from "../i18n/use-text.js";
import { useChat } from "../use-chat.js";

export function ConnectionStatus() {
  const t = useText();
  const status = useChat((state) => state.status);
  return (
    <div
      role="status"
      className="connection-status"
      data-testid="connection-status"
      data-state={status}
      title={t(`connection.${status}.title`)}
    >
      <span className="connection-dot" aria-hidden="true" />
      {t(`connection.${status}`)}
    </div>
  );
}
