/**
 * English texts, the reference catalog: every id the app uses is a key here, and the Japanese
 * catalog is typed against it, so a missing translation fails `tsc`. ICU MessageFormat syntax.
 */
export const en = {
  "app.loading": "Loading Parley…",
  "app.startupError": "Could not load Parley: {error} Retrying…",

  "connection.connected": "connected",
  "connection.connecting": "connecting",
  "connection.reconnecting": "reconnecting",
  "connection.connected.title": "Connected: messages arrive live",
  "connection.connecting.title": "Connecting to the server…",
  "connection.reconnecting.title":
    "Connection lost; reconnecting. Messages you send are kept and go out once back.",

  "sidebar.label": "Rooms",
  "sidebar.heading": "Rooms",
  "sidebar.openRooms": "Open the room list",
  "sidebar.closeRooms": "Close the room list",
  "sidebar.unread": "{count, plural, one {# unread message} other {# unread messages}}",

  "createRoom.open": "Create a room",
  "createRoom.title": "Create a room",
  "createRoom.name": "Room name",
  "createRoom.hint": "Everyone on this server can find and join it.",
  "createRoom.submit": "Create",
  "createRoom.cancel": "Cancel",
  "createRoom.empty": "Enter a room name.",
  "createRoom.tooLong": "A room name has at most {max} characters.",

  "userMenu.open": "Account and settings for {name}",
  "userMenu.theme": "Appearance",
  "userMenu.theme.system": "System",
  "userMenu.theme.light": "Light",
  "userMenu.theme.dark": "Dark",
  "userMenu.signOut": "Sign out",

  "room.loading": "Loading room…",
  "room.missing": "There is no room called #{slug}.",
  "room.goGeneral": "Go to #general",
  "room.openError": "Could not open #{slug}: {message}",
  "room.retry": "Try again",
  "room.documentTitle": "#{room} · Parley",
  "room.documentTitleUnread": "({count}) #{room} · Parley",

  "members.label": "Members",
  "members.heading": "Here now",
  "members.open": "{count, plural, one {Show the # member here now} other {Show the # members here now}}",
  "members.close": "Close the member list",

  "messages.label": "Messages in #{room}",
  "messages.start": "This is the start of #{room}.",
  "messages.loading": "Loading messages…",
  "messages.loadingOlder": "Loading older messages…",
  "messages.newDivider": "New messages",
  "messages.today": "Today",
  "messages.yesterday": "Yesterday",
  "messages.sending": "sending…",
  "messages.notSent": "Not sent: {reason}",
  "messages.refused": "the server refused it",
  "messages.retry": "Retry",
  "messages.discard": "Discard",

  "composer.label": "Message #{room}",
  "composer.send": "Send",
  "composer.hint": "<kbd>Enter</kbd> to send, <kbd>Shift</kbd>+<kbd>Enter</kbd> for a new line",

  "signin.documentTitle": "Sign in · Parley",
  "signin.subtitle": "Sign in to chat with your team.",
  "signin.loadError": "Could not load sign-in options: {error}",
  "signin.loading": "Loading…",
  "signin.withProvider": "Sign in with {provider}",
  "signin.devNotice":
    "<strong>Development mode.</strong> Dev sign-in is on: anyone can sign in under any name, without a password. Never enable it on a server others can reach.",
  "signin.displayName": "Display name",
  "signin.submit": "Sign in",
  "signin.nameEmpty": "Enter a display name.",
  "signin.nameTooLong": "A display name has at most {max} characters.",
  "signin.noMethod": "No sign-in method is configured on this server. Ask its administrator.",
  "signin.error.not_allowed":
    "This server only admits people from its team. Your account's verified email is not on the allow-list; ask an administrator to add it.",
  "signin.error.account_not_linked":
    "An account with this email already exists, but this provider did not confirm the email is yours, so it was not linked. Sign in with the provider you used before.",
  "signin.error.email_doesn_t_match":
    "The email of this account does not match the one you are signed in with.",
  "signin.error.unable_to_create_user":
    "Your account could not be created. Try again, or ask an administrator.",
  "signin.error.access_denied": "Sign-in was cancelled at the provider.",
  "signin.error.state_mismatch": "The sign-in took too long or was started in another tab. Please try again.",
  "signin.error.unknown": "Sign-in failed ({code}).",

  "problem.offline": "Cannot reach the server. Check your connection.",
  "problem.bad_response": "The server sent an unexpected response.",
  "problem.http_error": "The server answered with an error (HTTP {status}).",
  "problem.not_ready": "Still starting up; try again in a moment.",
  "problem.unexpected": "Something went wrong.",
  "problem.unknown": "The server refused the request ({code}).",
  "problem.refused": "The server refused it.",
  "problem.message_empty": "Type a message first.",
  "problem.message_too_long": "Messages can be at most {max, number} characters.",
  "problem.message_too_long.measured":
    "Messages can be at most {max, number} characters (this one has {length, number}).",
  "problem.message_invalid": "It contains characters that cannot be stored (control characters).",
  "problem.rate_limited": "Too many requests; wait a moment and try again.",
  "problem.rate_limited.wait": "Too many requests; try again in {wait}.",
  "problem.rate_limited.rooms_per_day":
    "You have created as many rooms as a day allows; try again in {wait}.",
  "problem.unavailable": "The server is unavailable for the moment; try again shortly.",
  "problem.unavailable.wait": "The server is unavailable for the moment; try again in {wait}.",
  "problem.unknown_room": "This room does not exist.",
  "problem.not_in_room": "You were not in this room; joining it again.",
  "problem.client_id_conflict": "The message clashed with another one; it is sent again.",
  "problem.bad_frame": "The server did not understand the request.",
  "problem.internal": "Something went wrong on the server.",
  "problem.room_name_taken": "A room with this name already exists; pick another name or join that one.",
  "problem.bad_request": "The server refused the request as invalid.",
  "problem.not_found": "Not found.",
  "problem.forbidden_origin": "Requests from this page's address are refused.",
  "problem.sign_out_failed":
    "You could not be signed out: the database is unavailable and the session still works. Try again.",
  "problem.session_store_unavailable":
    "You are signed out, but the session cache is unavailable; it is cleared once it is back.",
  "problem.during.load_older": "Could not load older messages: {reason}",

  // files (issue 16):
  "composer.attach": "Attach files",
  "composer.files": "Files for the next message",
  "composer.removeFile": "Remove {name}",
  "composer.uploading": "Uploading {name}",
  "composer.uploadFailed": "{name}: {reason}",
  "composer.drop": "Drop files to attach them to your message in #{room}",
  "attachments.label": "Files",
  "attachments.open": "Open {name} full size",
  "attachments.download": "Download",
  "attachments.close": "Close",
  "problem.uploads_pending": "Wait until the files have finished uploading.",
  "problem.upload_cancelled": "The upload was cancelled.",
  "problem.file_too_large": "The file is larger than this server accepts.",
  "problem.file_too_large.max": "Files can be at most {max} here.",
  "problem.file_empty": "The file is empty.",
  "problem.file_type_not_allowed": "Files of this type are not accepted on this server.",
  "problem.quota_exceeded":
    "Your files take all the space you are allowed; delete messages with files to make room.",
  "problem.image_too_large": "The image has more pixels than this server accepts.",
  "problem.image_unreadable": "The image cannot be read; it may be damaged.",
  "problem.attachment_unavailable":
    "A file could not be attached (it was already sent, or it expired); upload it again.",

  "language.browser": "Automatic",
  "language.label": "Language",
} as const;

export type MessageId = keyof typeof en;
