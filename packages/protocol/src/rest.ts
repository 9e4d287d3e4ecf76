import { z } from "zod";
import { Role } from "./administration.js";
import { DisplayName } from "./display-name.js";
import { Member, Room } from "./entities.js";
import {
  HISTORY_PAGE_SIZE,
  MAX_DIRECT_PEOPLE,
  MAX_DISPLAY_NAME_LENGTH,
  MAX_HISTORY_PAGE_SIZE,
  MAX_ROOM_NAME_LENGTH,
  MAX_SEQUENCE,
} from "./limits.js";
import { hasForbiddenCharacter } from "./message-body.js";
import { PagedMessage, refineAuthors } from "./message-page.js";

export const CreateRoomBody = z.object({
  name: z
    .string()
    .trim()
    .min(1, "room name is empty")
    .max(MAX_ROOM_NAME_LENGTH, `room name is longer than ${MAX_ROOM_NAME_LENGTH} characters`)
    // One line: tab and newline, allowed in messages, are control characters here too.
    .refine(
      (name) => !hasForbiddenCharacter(name) && !/[\t\n]/.test(name),
      "room name holds a control character",
    ),
  // --- rooms-access ---
  /** Direct conversations are opened with `POST /api/direct`, not created here. */
  kind: z.enum(["open", "private"]).default("open"),
  // --- end rooms-access ---
});
export type CreateRoomBody = z.infer<typeof CreateRoomBody>;

/** `GET /api/rooms?cursor=&limit=`: one page of the rooms list, in name order. */
export const RoomListQuery = z.object({
  /** `nextCursor` of the previous page; absent for the first page. */
  cursor: z.string().max(512).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(100),
  // --- room settings (admin slice) ---
  /** `true`: the archived rooms instead (they are out of the normal list). */
  archived: z
    .enum(["true", "false"])
    .transform((value) => value === "true")
    .optional(),
});
export type RoomListQuery = z.infer<typeof RoomListQuery>;

/** A page of rooms; `nextCursor` is null on the last page. */
export const RoomList = z.object({ rooms: z.array(Room), nextCursor: z.string().nullable() });
export type RoomList = z.infer<typeof RoomList>;

export const RoomResponse = z.object({ room: Room });

export const HistoryQuery = z.object({
  /** Return messages with a sequence strictly below this one (keyset pagination). */
  before: z.coerce
    .number()
    .int()
    .positive()
    .max(MAX_SEQUENCE + 1)
    .optional(),
  limit: z.coerce.number().int().min(1).max(MAX_HISTORY_PAGE_SIZE).default(HISTORY_PAGE_SIZE),
  /**
   * Messages around this sequence instead (edits, issue 15 part A: "open a room at a message"):
   * up to `limit` before it, it, and up to `limit` after it. Not together with `before`.
   */
  around: z.coerce.number().int().positive().max(MAX_SEQUENCE).optional(),
});
export type HistoryQuery = z.infer<typeof HistoryQuery>;

/** A page of history, oldest first: each author once in `users`, messages naming theirs by `authorId`. */
export const HistoryPage = z
  .object({
    users: z.array(Member),
    messages: z.array(PagedMessage),
    hasOlder: z.boolean(),
    /** With `around`: whether newer messages follow the page's last one. */
    hasNewer: z.boolean().optional(),
  })
  .superRefine(refineAuthors);
export type HistoryPage = z.infer<typeof HistoryPage>;

export const Me = z.object({
  user: Member,
  // --- administration (admin slice) ---
  /** Whether the signed-in person is an administrator (absent from older servers: a member). */
  role: Role.optional(),
});
export type Me = z.infer<typeof Me>;

/** What the sign-in page needs to know to draw itself. */
export const SignInOptions = z.object({
  devSignIn: z.boolean(),
  providers: z.array(z.object({ id: z.string(), name: z.string() })),
});
export type SignInOptions = z.infer<typeof SignInOptions>;

export const DevSignInBody = z.object({ name: DisplayName });

/**
 * `POST /api/auth/update-user`: only the display name may change. The picture is the provider's
 * avatar or the generated one, never a URL a client sends, so `image` (like any other field) is
 * refused.
 */
export const UpdateProfileBody = z.strictObject(
  { name: DisplayName.optional() },
  {
    error: (issue) =>
      issue.code === "unrecognized_keys"
        ? `only the display name can be changed (not ${issue.keys.join(", ")}): the picture comes from your sign-in provider`
        : undefined,
  },
);
export type UpdateProfileBody = z.infer<typeof UpdateProfileBody>;

// --- rooms-access: membership, people and direct conversations ---
/** `GET /api/me/rooms`: every room the user is a member of (the sidebar), open and private first by name, then direct. */
export const MyRooms = z.object({ rooms: z.array(Room) });
export type MyRooms = z.infer<typeof MyRooms>;

/** A person's id as a path or body names it. */
export const PersonId = z.string().min(1).max(64);

/** `POST /api/rooms/:roomId/members`: invite a person. */
export const InviteBody = z.object({ userId: PersonId });
export type InviteBody = z.infer<typeof InviteBody>;

/** `GET /api/rooms/:roomId/members?cursor=&limit=` and `GET /api/people?q=&cursor=&limit=`. */
export const PeopleQuery = z.object({
  /** Part of a display name, matched ignoring case (people only). */
  q: z.string().trim().max(MAX_DISPLAY_NAME_LENGTH).optional(),
  cursor: z.string().max(512).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type PeopleQuery = z.infer<typeof PeopleQuery>;

/** A page of people in name order; `nextCursor` is null on the last page. */
export const PeoplePage = z.object({ people: z.array(Member), nextCursor: z.string().nullable() });
export type PeoplePage = z.infer<typeof PeoplePage>;

/** `POST /api/direct`: open (or find again) the conversation with these people, besides the caller. */
export const OpenDirectBody = z.object({
  userIds: z
    .array(PersonId)
    .min(1, "name at least one person")
    .max(MAX_DIRECT_PEOPLE - 1, `a direct conversation holds at most ${MAX_DIRECT_PEOPLE} people`),
});
export type OpenDirectBody = z.infer<typeof OpenDirectBody>;
// --- end rooms-access ---
