import type { Member, PresenceStatus } from "@parley/protocol";
import { useEffect, useMemo, useState } from "react";
import { EMPTY_ROOM, STATUS_REFRESH_MS } from "../core/index.js";
import { useText } from "../i18n/use-text.js";
import { useChat, useChatCore } from "../use-chat.js";
import { Avatar } from "./Avatar.js";
import { ProfileCard } from "./ProfileCard.js";

const NO_ROSTER: readonly Member[] = [];

/** onClose: present when the panel is a sheet (narrow screens); it then shows a close button. */
export function MemberPanel({ roomId, onClose }: { roomId: string; onClose?: () => void }) {
  const t = useText();
  const chat = useChatCore();
  const members = useChat((state) => (state.roomStates[roomId] ?? EMPTY_ROOM).members);
  const room = useChat((state) => state.rooms.find((candidate) => candidate.id === roomId));
  const me = useChat((state) => state.me);
  const roster = useChat((state) => state.rosters[roomId] ?? NO_ROSTER);
  const sorted = useMemo(() => [...members].sort((a, b) => a.name.localeCompare(b.name)), [members]);
  const [profileOf, setProfileOf] = useState<string | null>(null);
  const sortedRoster = useMemo(() => [...roster].sort((a, b) => a.name.localeCompare(b.name)), [roster]);
  // Who belongs to a private room or direct message matters as much as who is here now.
  const showsRoster = room !== undefined && room.kind !== "open";
  const mayRemove = room?.kind === "private" && room.createdBy !== null && room.createdBy === me?.id;

  useEffect(() => {
    if (showsRoster) chat.loadRoster(roomId).catch(() => undefined);
  }, [chat, roomId, showsRoster]);
  const statuses = useStatuses(sorted.map((member) => member.id).join(","));

  return (
    <aside className="member-panel" aria-label={t("members.label")}>
      <div className="member-panel-header">
        <h2 className="member-heading">
          {t("members.heading")}{" "}
          <span className="member-count" data-testid="member-count">
            {sorted.length}
          </span>
        </h2>
        {onClose && (
          <button
            type="button"
            className="icon-button"
            data-testid="close-members"
            aria-label={t("members.close")}
            onClick={onClose}
          >
            <span aria-hidden="true">×</span>
          </button>
        )}
      </div>
      <ul className="member-list" data-testid="member-list">
        {sorted.map((member) => (
          <li key={member.id} className="member" data-testid="member">
            <button
              type="button"
              className="member-button"
              data-testid="member-profile"
              aria-label={t("profile.open", { name: member.name })}
              onClick={() => setProfileOf(member.id)}
            >
              <Avatar member={member} size={24} />
              <span className="member-name" title={member.name}>
                {member.name}
              </span>
              {statuses[member.id] === "away" && (
                <span className="member-away" data-testid="member-away">
                  {t("profile.status.away")}
                </span>
              )}
            </button>
          </li>
        ))}
      </ul>
      <ProfileCard personId={profileOf} onClose={() => setProfileOf(null)} />
      {showsRoster && (
        <>
          <h2 className="member-heading roster-heading">
            {t("members.roster")}{" "}
            <span className="member-count" data-testid="roster-count">
              {sortedRoster.length}
            </span>
          </h2>
          <ul className="member-list" data-testid="roster">
            {sortedRoster.map((member) => (
              <li key={member.id} className="member" data-testid="roster-member">
                <Avatar member={member} size={24} />
                <span className="member-name" title={member.name}>
                  {member.name}
                </span>
                {mayRemove && member.id !== me?.id && (
                  <button
                    type="button"
                    className="icon-button roster-remove"
                    data-testid="roster-remove"
                    aria-label={t("members.remove", { name: member.name })}
                    title={t("members.remove", { name: member.name })}
                    onClick={() => void chat.removeMember(roomId, member.id).catch(() => undefined)}
                  >
                    <span aria-hidden="true">×</span>
                  </button>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
    </aside>
  );
}

/** Presence status of the listed people (comma-joined ids), refreshed while the list is shown. */
function useStatuses(ids: string): Readonly<Record<string, PresenceStatus>> {
  const chat = useChatCore();
  const [statuses, setStatuses] = useState<Readonly<Record<string, PresenceStatus>>>({});
  useEffect(() => {
    if (!ids) return;
    let current = true;
    const load = () =>
      chat.statuses(ids.split(",")).then(
        (loaded) => current && setStatuses(loaded),
        // Status is a nicety: the list stays as it was until the next refresh.
        () => undefined,
      );
    void load();
    const timer = setInterval(() => void load(), STATUS_REFRESH_MS);
    return () => {
      current = false;
      clearInterval(timer);
    };
  }, [chat, ids]);
  return statuses;
}
