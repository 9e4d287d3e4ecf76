/** Limits shared by server and browser, so the composer can refuse what the server would. */
export const MAX_MESSAGE_LENGTH = 4000;
export const HISTORY_PAGE_SIZE = 50;
export const MAX_HISTORY_PAGE_SIZE = 200;
export const MAX_ROOM_NAME_LENGTH = 80;
export const MAX_DISPLAY_NAME_LENGTH = 40;
/** Largest inbound WebSocket frame in bytes; a 4,000-character message in UTF-8 JSON fits easily. */
export const MAX_INBOUND_FRAME_BYTES = 64 * 1024;
