/** WebSocket close codes Parley uses; docs/protocol.md lists what a client should do on each. */
export const CloseCode = {
  /** The server is shutting down or restarting: reconnect, possibly to another node. */
  goingAway: 1001,
  serviceRestart: 1012,
  /** The session ended (sign-out, revoked, expired): sign in again, do not reconnect. */
  sessionEnded: 4001,
  /** The client did not read fast enough and its send queue passed the cap: reconnect and resume. */
  tooSlow: 4008,
} as const;
