import type { Member } from "@parley/protocol";
import {
  Fragment,
  memo,
  type ReactNode,
  useCallback,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
} from "react";
import type { ChatMessage, OutboxEntry } from "../core/index.js";
import { EMPTY_ROOM, unreadCount } from "../core/index.js";
import { fullTime, shortTime } from "../format.js";
import { useChat, useChatCore } from "../use-chat.js";
import { Avatar } from "./Avatar.js";

type Item =
  | { readonly kind: "message"; readonly key: string; readonly message: ChatMessage }
  | { readonly kind: "outbox"; readonly key: string; readonly entry: OutboxEntry };

type TopMarker = "loading" | "loading-older" | "more" | "start";

/** Within this distance of the bottom the list follows new messages; further up the reader is reading. */
const NEAR_BOTTOM_PX = 80;
/** Older history is fetched a little before the very top so scrolling rarely hits a wall. */
const LOAD_OLDER_PX = 120;

export function MessageList({ roomId, roomName }: { roomId: string; roomName: string }) {
  const chat = useChatCore();
  const room = useChat((state) => state.roomStates[roomId] ?? EMPTY_ROOM);
  const outbox = useChat((state) => state.outbox);
  const me = useChat((state) => state.me);
  const unread = useChat((state) => state.unread[roomId]);
  /**
   * The divider goes before the first message after this seq: the read position when unread
   * messages were first found on this visit. undefined: not known yet; null: no divider.
   */
  const [dividerAfter, setDividerAfter] = useState<number | null | undefined>(undefined);

  const items = useMemo(() => {
    const list: Item[] = room.messages.map((message) => ({
      kind: "message",
      key: `s${message.seq}`,
      message,
    }));
    // An entry whose committed copy is already listed would show twice for a moment otherwise.
    const committed = new Set(
      room.messages.filter((message) => message.author.id === me?.id).map((message) => message.clientId),
    );
    for (const entry of outbox) {
      if (entry.roomId === roomId && !committed.has(entry.clientId)) {
        list.push({ kind: "outbox", key: `c${entry.clientId}`, entry });
      }
    }
    return list;
  }, [room.messages, outbox, roomId, me]);

  const dividerBefore = useMemo(() => {
    if (dividerAfter == null) return undefined;
    return room.messages.find((message) => message.seq > dividerAfter)?.seq;
  }, [room.messages, dividerAfter]);

  const topMarker: TopMarker = !room.loaded
    ? "loading"
    : room.loadingOlder
      ? "loading-older"
      : room.hasOlder
        ? "more"
        : "start";

  const listRef = useRef<HTMLDivElement>(null);
  // Distance from the bottom as of the last render or scroll: what must survive a prepend.
  const fromBottom = useRef(0);
  const previous = useRef<{ first?: string; last?: string; marker: TopMarker } | null>(null);
  /** The newest seq on screen as of the last commit: what may be reported as read. */
  const shownTop = useRef<number | undefined>(undefined);

  const measure = useCallback(() => {
    const list = listRef.current;
    if (list) fromBottom.current = list.scrollHeight - list.clientHeight - list.scrollTop;
  }, []);

  // Reading means seeing the newest message: only at the bottom (the store checks the tab is visible).
  const readIfAtBottom = useCallback(() => {
    const top = shownTop.current;
    if (top !== undefined && fromBottom.current <= NEAR_BOTTOM_PX) chat.markSeen(roomId, top);
  }, [chat, roomId]);

  const loadOlderIfAtTop = useCallback(() => {
    const list = listRef.current;
    if (list && list.scrollTop < LOAD_OLDER_PX) void chat.loadOlder(roomId);
  }, [chat, roomId]);

  useLayoutEffect(() => {
    const list = listRef.current;
    if (!list) return;
    const first = items[0]?.key;
    const lastItem = items.at(-1);
    const last = lastItem?.key;
    const before = previous.current;
    if (!before) {
      list.scrollTop = list.scrollHeight;
    } else if (last !== before.last) {
      const ownNewSend = lastItem?.kind === "outbox" && lastItem.entry.state === "pending";
      if (ownNewSend || fromBottom.current <= NEAR_BOTTOM_PX) list.scrollTop = list.scrollHeight;
    } else if (first !== before.first || topMarker !== before.marker) {
      // Content grew above the viewport: keep what the reader was looking at where it was.
      list.scrollTop = list.scrollHeight - list.clientHeight - fromBottom.current;
    }
    previous.current = { first, last, marker: topMarker };
    measure();
  }, [items, topMarker, measure]);

  // Runs after the scroll above is settled, so "at the bottom" is about what is on screen now.
  useLayoutEffect(() => {
    if (!room.loaded) return;
    shownTop.current = room.messages.at(-1)?.seq;
    if (unread) {
      // What was unread on arrival, as it stood before this visit read any of it.
      setDividerAfter((current) =>
        current !== undefined ? current : unreadCount(unread) > 0 ? unread.lastReadSeq : null,
      );
    }
    readIfAtBottom();
    // Still unread (hidden tab, or scrolled up): mark where the new messages start.
    const after = chat.getState().unread[roomId];
    if (after && unreadCount(after) > 0) setDividerAfter((current) => current ?? after.lastReadSeq);
  }, [chat, room.loaded, room.messages, unread, roomId, readIfAtBottom]);

  useEffect(() => {
    const onVisibilityChange = () => {
      if (document.visibilityState === "visible") readIfAtBottom();
      // Everything was read before leaving: what arrives while away gets a fresh divider.
      else if (unreadCount(chat.getState().unread[roomId]) === 0) setDividerAfter(null);
    };
    document.addEventListener("visibilitychange", onVisibilityChange);
    return () => document.removeEventListener("visibilitychange", onVisibilityChange);
  }, [chat, roomId, readIfAtBottom]);

  // Covers a first page too short to scroll: the reader could never scroll up to ask for more.
  useEffect(() => {
    if (topMarker === "more") loadOlderIfAtTop();
  }, [topMarker, loadOlderIfAtTop]);

  // The composer growing or the window shrinking must not pull a reader off the newest message.
  useEffect(() => {
    const list = listRef.current;
    if (!list) return;
    const observer = new ResizeObserver(() => {
      if (fromBottom.current <= NEAR_BOTTOM_PX) list.scrollTop = list.scrollHeight;
      measure();
      readIfAtBottom();
    });
    observer.observe(list);
    return () => observer.disconnect();
  }, [measure, readIfAtBottom]);

  return (
    <div
      className="message-list"
      data-testid="message-list"
      ref={listRef}
      role="log"
      aria-label={`Messages in #${roomName}`}
      onScroll={() => {
        measure();
        loadOlderIfAtTop();
        readIfAtBottom();
      }}
    >
      {topMarker === "start" && (
        <div className="history-start" data-testid="history-start">
          <strong>This is the start of #{roomName}.</strong>
        </div>
      )}
      {(topMarker === "loading" || topMarker === "loading-older") && (
        <div className="history-loading muted">
          {topMarker === "loading" ? "Loading messages…" : "Loading older messages…"}
        </div>
      )}
      {items.map((item) =>
        item.kind === "message" ? (
          <Fragment key={item.key}>
            {item.message.seq === dividerBefore && (
              <div className="unread-divider" data-testid="unread-divider">
                New messages
              </div>
            )}
            <MessageItem message={item.message} />
          </Fragment>
        ) : me ? (
          <OutboxItem key={item.key} entry={item.entry} me={me} />
        ) : null,
      )}
    </div>
  );
}

const MessageItem = memo(function MessageItem({ message }: { message: ChatMessage }) {
  return (
    <article className="message" data-testid="message" data-seq={message.seq} data-state="sent">
      <Avatar member={message.author} size={36} />
      <div className="message-main">
        <MessageMeta author={message.author} createdAt={message.createdAt} />
        <div className="message-body" data-testid="message-body">
          {message.body}
        </div>
      </div>
    </article>
  );
});

const OutboxItem = memo(function OutboxItem({ entry, me }: { entry: OutboxEntry; me: Member }) {
  const chat = useChatCore();
  const failed = entry.state === "failed";
  return (
    <article className={`message message-${entry.state}`} data-testid="message" data-state={entry.state}>
      <Avatar member={me} size={36} />
      <div className="message-main">
        <MessageMeta author={me} createdAt={entry.createdAt}>
          {!failed && <span className="message-status">sending…</span>}
        </MessageMeta>
        <div className="message-body" data-testid="message-body">
          {entry.body}
        </div>
        {failed && (
          <div className="message-failure" role="alert">
            <span className="message-failure-reason">Not sent: {entry.error ?? "the server refused it"}</span>
            <button
              type="button"
              className="link-button"
              data-testid="retry"
              onClick={() => chat.retry(entry.clientId)}
            >
              Retry
            </button>
            <button
              type="button"
              className="link-button"
              data-testid="discard"
              onClick={() => chat.discard(entry.clientId)}
            >
              Discard
            </button>
          </div>
        )}
      </div>
    </article>
  );
});

function MessageMeta({
  author,
  createdAt,
  children,
}: {
  author: Member;
  createdAt: number;
  children?: ReactNode;
}) {
  return (
    <div className="message-meta">
      <span className="message-author" data-testid="message-author">
        {author.name}
      </span>
      <time className="message-time" dateTime={new Date(createdAt).toISOString()} title={fullTime(createdAt)}>
        {shortTime(createdAt)}
      </time>
      {children}
    </div>
  );
}
