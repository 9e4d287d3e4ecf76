import { useMemo } from "react";
import { EMPTY_ROOM } from "../core/index.js";
import { useChat } from "../use-chat.js";
import { Avatar } from "./Avatar.js";

export function MemberPanel({ roomId }: { roomId: string }) {
  const members = useChat((state) => (state.roomStates[roomId] ?? EMPTY_ROOM).members);
  const sorted = useMemo(() => [...members].sort((a, b) => a.name.localeCompare(b.name)), [members]);

  return (
    <aside className="member-panel" aria-label="Members">
      <h2 className="member-heading">
        Here now{" "}
        <span className="member-count" data-testid="member-count">
          {sorted.length}
        </span>
      </h2>
      <ul className="member-list" data-testid="member-list">
        {sorted.map((member) => (
          <li key={member.id} className="member" data-testid="member">
            <Avatar member={member} size={24} />
            <span className="member-name">{member.name}</span>
          </li>
        ))}
      </ul>
    </aside>
  );
}
