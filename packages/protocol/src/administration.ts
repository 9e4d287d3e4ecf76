import { z } from "zod";
import { MAX_ROOM_NAME_LENGTH, MAX_ROOM_TOPIC_LENGTH } from "./limits.js";
import { hasForbiddenCharacter } from "./message-body.js";

/** Roles, workspace settings, room settings, people's profiles and presence status: the REST shapes. */

/** Administrators rename, archive and delete any room, set the workspace settings and manage people. */
export const Role = z.enum(["administrator", "member"]);
export type Role = z.infer<typeof Role>;

/** Across rooms: online (active lately), away (connected but idle), offline (no open connection). */
export const PresenceStatus = z.enum(["online", "away", "offline"]);
export type PresenceStatus = z.infer<typeof PresenceStatus>;

/** Who may create rooms. */
export const RoomCreationPolicy = z.enum(["everyone", "administrators"]);
export type RoomCreationPolicy = z.infer<typeof RoomCreationPolicy>;

/** `GET /api/workspace/settings` (anyone signed in) and `PUT` (administrators). */
export const WorkspaceSettings = z.object({ roomCreation: RoomCreationPolicy });
export type WorkspaceSettings = z.infer<typeof WorkspaceSettings>;
export const UpdateWorkspaceSettingsBody = z.strictObject({ roomCreation: RoomCreationPolicy });

const oneLine = (text: string) => !hasForbiddenCharacter(text) && !/[\t\n]/.test(text);

/** `PATCH /api/rooms/:roomId`: any of name, topic (empty clears it) and archived. */
export const UpdateRoomBody = z
  .strictObject({
    name: z
      .string()
      .trim()
      .min(1, "room name is empty")
      .max(MAX_ROOM_NAME_LENGTH, `room name is longer than ${MAX_ROOM_NAME_LENGTH} characters`)
      .refine(oneLine, "room name holds a control character")
      .optional(),
    topic: z
      .string()
      .trim()
      .max(MAX_ROOM_TOPIC_LENGTH, `topic is longer than ${MAX_ROOM_TOPIC_LENGTH} characters`)
      .refine(oneLine, "topic holds a control character")
      .optional(),
    archived: z.boolean().optional(),
  })
  .refine((body) => Object.keys(body).length > 0, "nothing to change: give name, topic or archived");
export type UpdateRoomBody = z.infer<typeof UpdateRoomBody>;

/** A person's profile card. `timeZone` is the IANA zone their browser last reported (null: never). */
export const Profile = z.object({
  id: z.string(),
  name: z.string(),
  image: z.string(),
  role: Role,
  status: PresenceStatus,
  /** Sign-in providers linked to the account (e.g. "github", "google", "oidc"); empty for dev sign-in. */
  providers: z.array(z.string()),
  timeZone: z.string().nullable(),
  deactivated: z.boolean(),
});
export type Profile = z.infer<typeof Profile>;

export const ProfileResponse = z.object({ person: Profile });

/** `GET /api/people/status?ids=a,b`: each person's status, for the directory and member lists. */
export const PeopleStatusQuery = z.object({
  ids: z
    .string()
    .max(100 * 65)
    .transform((value) => value.split(",").filter(Boolean))
    .pipe(z.array(z.string().min(1).max(64)).min(1).max(100)),
});
export const PeopleStatus = z.object({ statuses: z.record(z.string(), PresenceStatus) });
export type PeopleStatus = z.infer<typeof PeopleStatus>;

/** `PUT /api/people/:id/role` (administrators). */
export const UpdateRoleBody = z.strictObject({ role: Role });
