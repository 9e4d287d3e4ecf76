import type { PresenceStatus } from "@parley/protocol";
import { useEffect, useMemo, useState } from "react";
import { EMPTY_ROOM, STATUS_REFRESH_MS } from "../core/index.js";
import { useText } from "../i18n/use-text.js";
import { useChat, useChatCore } from "../use-chat.js";
import { Avatar } from "./Avatar.js";
import { ProfileCard } from "./ProfileCard.js";

/** onClose: present when the panel is a sheet (narrow screens); it then shows a close button. */
export function MemberPanel({ roomId, onClose }: { roomId: string; onClose?: () => void }) {
  const t = useText();
  const members = useChat((state) => (state.roomStates[roomId] ?? EMPTY_ROOM).members);
  const sorted = useMemo(() => [...members].sort((a, b) => a.name.localeCompare(b.name)), [members]);
  const [profileOf, setProfileOf] = useState<string | null>(null);
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
