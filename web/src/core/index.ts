export { BACKOFF_CAP_MS, BACKOFF_START_MS, parseRetryAfter, reconnectDelay } from "./backoff.js";
export { ChatCore, type ChatCoreDeps, type ChatState, STATUS_REFRESH_MS } from "./chat-core.js";
export { Connection, type ConnectionStatus, parseServerFrame } from "./connection.js";
export { ApiError, type ChatApi, createChatApi, problemOf, refusalOf } from "./http-api.js";
// notify slice
export { MentionTracker, mentionCount, totalMentions } from "./mentions.js";
export {
  applyChange,
  applyPresence,
  type ChatMessage,
  mayDelete,
  mayEdit,
  mergeMessages,
  resumeCursor,
} from "./messages.js";
export { newClientId, Outbox, type OutboxEntry } from "./outbox.js";
export type * from "./ports.js";
export { CLIENT_CODES, clientProblem, Problem, problemFromFrame } from "./problem.js";
export {
  EMPTY_ROOM,
  type FocusView,
  type RoomError,
  type RoomState,
  roomTitle,
  sidebarRooms,
} from "./rooms.js";
export {
  afterSignInPath,
  DEFAULT_ROOM_PATH,
  type Location,
  locate,
  messagePath,
  type RouteState,
  roomPath,
  signInPath,
} from "./routing.js";
export { resultPath, SearchSession, type SearchState, snippetPieces } from "./search.js";
export { TypingTracker } from "./typing.js";
export { type RoomUnread, totalUnread, unreadCount } from "./unread.js";
export {
  type DraftFile,
  UPLOADS_PENDING,
  UploadDrafts,
  type Uploader,
  type UploadHandle,
  type UploadSource,
} from "./upload-drafts.js";
