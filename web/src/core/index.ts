export { BACKOFF_CAP_MS, BACKOFF_START_MS, parseRetryAfter, reconnectDelay } from "./backoff.js";
export { ChatCore, type ChatCoreDeps, type ChatState } from "./chat-core.js";
export { Connection, type ConnectionStatus, parseServerFrame } from "./connection.js";
export { ApiError, type ChatApi, createChatApi, problemOf, refusalOf } from "./http-api.js";
export { applyPresence, type ChatMessage, mergeMessages, resumeCursor } from "./messages.js";
export { newClientId, Outbox, type OutboxEntry } from "./outbox.js";
export type * from "./ports.js";
export { CLIENT_CODES, clientProblem, Problem, problemFromFrame } from "./problem.js";
export { EMPTY_ROOM, type RoomError, type RoomState } from "./rooms.js";
export {
  afterSignInPath,
  DEFAULT_ROOM_PATH,
  type Location,
  locate,
  type RouteState,
  roomPath,
  signInPath,
} from "./routing.js";
export { resultPath, SearchSession, type SearchState, snippetPieces } from "./search.js";
export { type RoomUnread, totalUnread, unreadCount } from "./unread.js";
