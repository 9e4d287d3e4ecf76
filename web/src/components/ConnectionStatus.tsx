import { useChat } from "../use-chat.js";

const TITLES = {
  connected: "Connected: messages arrive live",
  connecting: "Connecting to the server…",
  reconnecting: "Connection lost; reconnecting. Messages you send are kept and go out once back.",
} as const;

export function ConnectionStatus() {
  const status = useChat((state) => state.status);
  return (
    <div
      role="status"
      className="connection-status"
      data-testid="connection-status"
      data-state={status}
      title={TITLES[status]}
    >
      <span className="connection-dot" aria-hidden="true" />
      {status}
    </div>
  );
}
