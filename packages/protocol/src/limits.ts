/** Limits shared by server and browser, so the composer can refuse what the server would. */
export const MAX_MESSAGE_LENGTH = 4000;
export const HISTORY_PAGE_SIZE = 50;
export const MAX_HISTORY_PAGE_SIZE = 200;
export const MAX_ROOM_NAME_LENGTH = 80;
/** In code points, after NFC normalisation and trimming (src/protocol/display-name.ts). */
export const MAX_DISPLAY_NAME_LENGTH = 64;
/**
 * Largest inbound WebSocket frame in bytes; larger frames close the socket with 1009. Generous on
 * purpose: an over-long message below it gets a clear `message_too_long` error frame instead.
 */
export const MAX_INBOUND_FRAME_BYTES = 1024 * 1024;
/**
 * Largest sequence number a room can reach: the `integer` columns that hold sequences are 32-bit
 * signed on PostgreSQL and MariaDB/MySQL. Frames and queries naming a larger one are refused as
 * malformed (no client can have seen it), so every database answers the same.
 */
export const MAX_SEQUENCE = 2_147_483_647;

// --- administration (admin slice) ---
/** Longest room topic, in characters after trimming. */
export const MAX_ROOM_TOPIC_LENGTH = 250;
/** Longest IANA time zone name a browser may report (the longest real one is about 30). */
export const MAX_TIME_ZONE_LENGTH = 64;
// --- rooms-access ---
/** Most people in one direct conversation, the one who starts it included. */
export const MAX_DIRECT_PEOPLE = 8;
/** Most rooms in one person's room list (`GET /api/me/rooms`): memberships past it are not listed. */
export const MAX_MEMBERSHIPS_LISTED = 2000;
// --- end rooms-access ---
// notify slice
/** Clients send `typing` at most this often per room while typing (the server's TYPING_INTERVAL_MS may be shorter). */
export const TYPING_INTERVAL_MS = 3000;
/** "… is typing" disappears this long after that person's last typing frame (or at once on their message). */
export const TYPING_SHOWN_MS = 5000;
/** Unread mention seqs per room sent in `mention_state`; a badge shows at most this many. */
export const MAX_UNREAD_MENTIONS_PER_ROOM = 99;
// end notify slice
