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

  "language.browser": "Automatic",
  "language.label": "Language",

  // --- search (issue 16) ---
  "search.open": "Search",
  "search.shortcut": "Search messages (/ or Ctrl+K)",
  "search.label": "Search messages",
  "search.placeholder": 'Words, "phrases", from:name, in:room',
  "search.close": "Close search",
  "search.scope": "Where to search",
  "search.scope.all": "All rooms",
  "search.scope.room": "Only #{room}",
  "search.help": "Filters: from:name in:room on:2026-01-31 after:2026-01-01 before:2026-02-01",
  "search.loading": "Searching…",
  "search.none": "No messages match “{query}”.",
  "search.count":
    "{more, select, yes {More than {count, plural, one {# result} other {# results}}} other {{count, plural, one {# result} other {# results}}}}",
  "search.more": "Show more results",
  "search.partial": "Only the newest matches are shown; add words, in: or dates to reach older messages.",
  "problem.bad_search": "The search could not be read.",
  "problem.bad_search.empty": "Type something to search for.",
  "problem.bad_search.too_long": "A search can be at most 256 characters.",
  "problem.bad_search.bad_parameter": "The search was refused as invalid.",
  "problem.bad_search.unclosed_quote": 'A quote is not closed: end the phrase with ".',
  "problem.bad_search.too_many_terms": "A search takes at most 12 words and phrases.",
  "problem.bad_search.missing_value":
    "A filter needs a value right after the colon, like from:ann or in:general.",
  "problem.bad_search.bad_date": "Write dates as year-month-day, like on:2026-01-31.",
  "problem.bad_search.dates_reversed": "No day is both after the after: date and before the before: date.",
  "problem.bad_search.unknown_person": "from: names no one with that display name.",
  "problem.bad_search.unknown_room": "in: names no room you can read.",
  "problem.bad_search.needs_words": "Dates alone are not enough: add a word, from: or in:.",
  "problem.search_off": "Search is turned off on this server.",
} as const;

export type MessageId = keyof typeof en;
