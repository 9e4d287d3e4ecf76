import { useMemo, useState } from "react";
import { EMPTY_ROOM } from "../core/index.js";
import { useText } from "../i18n/use-text.js";
import { useChat } from "../use-chat.js";
import { Avatar } from "./Avatar.js";
import { ProfileCard } from "./ProfileCard.js";

/** onClose: present when the panel is a sheet (narrow screens); it then shows a close button. */
export function MemberPanel({ roomId, onClose }: { roomId: string; onClose?: () => void }) {
  const t = useText();
  const members = useChat((state) => (state.roomStates[roomId] ?? EMPTY_ROOM).members);
  const sorted = useMemo(() => [...members].sort((a, b) => a.name.localeCompare(b.name)), [members]);
  const [profileOf, setProfileOf] = useState<string | null>(null);

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
            </button>
          </li>
        ))}
      </ul>
      <ProfileCard personId={profileOf} onClose={() => setProfileOf(null)} />
    </aside>
  );
}
