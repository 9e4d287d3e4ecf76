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
import { useTimeFormat } from "../format.js";
import { useProblemText } from "../i18n/problem-text.js";
import { useText } from "../i18n/use-text.js";
import { renderMarkdown } from "../markdown.js";
import { placeMessages } from "../message-groups.js";
import { useChat, useChatCore } from "../use-chat.js";
import { Avatar } from "./Avatar.js";
import { MessageAttachments } from "./MessageAttachments.js";

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
  const t = useText();
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

  const placements = useMemo(
    () =>
      placeMessages(
        items.map((item) =>
          item.kind === "message"
            ? {
                authorId: item.message.author.id,
                createdAt: item.message.createdAt,
                breakBefore: item.message.seq === dividerBefore,
              }
            : { authorId: me?.id ?? "", createdAt: item.entry.createdAt },
        ),
      ),
    [items, me, dividerBefore],
  );
  const format = useTimeFormat();

  return (
    <div
      className="message-list"
      data-testid="message-list"
      ref={listRef}
      role="log"
      // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be focusable so keyboard readers can scroll the history (WCAG 2.1.1, axe scrollable-region-focusable)
      tabIndex={0}
      aria-label={t("messages.label", { room: roomName })}
      onScroll={() => {
        measure();
        loadOlderIfAtTop();
        readIfAtBottom();
      }}
    >
      {topMarker === "start" && (
        <div className="history-start" data-testid="history-start">
          <strong>{t("messages.start", { room: roomName })}</strong>
        </div>
      )}
      {(topMarker === "loading" || topMarker === "loading-older") && (
        <div className="history-loading muted">
          {topMarker === "loading" ? t("messages.loading") : t("messages.loadingOlder")}
        </div>
      )}
      {items.map((item, index) => {
        const placement = placements[index] ?? { newDay: true, continued: false };
        const createdAt = item.kind === "message" ? item.message.createdAt : item.entry.createdAt;
        return (
          <Fragment key={item.key}>
            {placement.newDay && (
              <div className="day-separator" data-testid="day-separator">
                <span className="day-separator-label">
                  <time dateTime={new Date(createdAt).toISOString()}>{format.day(createdAt)}</time>
                </span>
              </div>
            )}
            {item.kind === "message" ? (
              <>
                {item.message.seq === dividerBefore && (
                  <div className="unread-divider" data-testid="unread-divider">
                    {t("messages.newDivider")}
                  </div>
                )}
                <MessageItem message={item.message} continued={placement.continued} />
              </>
            ) : me ? (
              <OutboxItem entry={item.entry} me={me} continued={placement.continued} />
            ) : null}
          </Fragment>
        );
      })}
    </div>
  );
}

const MessageItem = memo(function MessageItem({
  message,
  continued,
}: {
  message: ChatMessage;
  continued: boolean;
}) {
  return (
    <article
      className={continued ? "message message-continued" : "message"}
      data-testid="message"
      data-seq={message.seq}
      data-state="sent"
      data-continued={continued || undefined}
    >
      <MessageGutter author={message.author} createdAt={message.createdAt} continued={continued} />
      <div className="message-main">
        {!continued && <MessageMeta author={message.author} createdAt={message.createdAt} />}
        {message.body.length > 0 && <MessageBody body={message.body} />}
        {message.attachments && <MessageAttachments attachments={message.attachments} />}
      </div>
    </article>
  );
});

const OutboxItem = memo(function OutboxItem({
  entry,
  me,
  continued,
}: {
  entry: OutboxEntry;
  me: Member;
  continued: boolean;
}) {
  const chat = useChatCore();
  const t = useText();
  const describe = useProblemText();
  const failed = entry.state === "failed";
  const status = !failed && <span className="message-status">{t("messages.sending")}</span>;
  return (
    <article
      className={`message message-${entry.state}${continued ? " message-continued" : ""}`}
      data-testid="message"
      data-state={entry.state}
      data-continued={continued || undefined}
    >
      <MessageGutter author={me} createdAt={entry.createdAt} continued={continued} />
      <div className="message-main">
        {continued ? (
          status
        ) : (
          <MessageMeta author={me} createdAt={entry.createdAt}>
            {status}
          </MessageMeta>
        )}
        {entry.body.length > 0 && <MessageBody body={entry.body} />}
        {entry.attachments && <MessageAttachments attachments={entry.attachments} />}
        {failed && (
          <div className="message-failure" role="alert">
            <span className="message-failure-reason">
              {t("messages.notSent", { reason: entry.error ? describe(entry.error) : t("messages.refused") })}
            </span>
            <button
              type="button"
              className="link-button"
              data-testid="retry"
              onClick={() => chat.retry(entry.clientId)}
            >
              {t("messages.retry")}
            </button>
            <button
              type="button"
              className="link-button"
              data-testid="discard"
              onClick={() => chat.discard(entry.clientId)}
            >
              {t("messages.discard")}
            </button>
          </div>
        )}
      </div>
    </article>
  );
});

const MessageBody = memo(function MessageBody({ body }: { body: string }) {
  return (
    <div className="message-body" data-testid="message-body">
      {renderMarkdown(body)}
    </div>
  );
});

/** The avatar; in a continued message, the time (on hover) and the author for screen readers instead. */
function MessageGutter({
  author,
  createdAt,
  continued,
}: {
  author: Member;
  createdAt: number;
  continued: boolean;
}) {
  const format = useTimeFormat();
  if (!continued) return <Avatar member={author} size={36} />;
  return (
    <div className="message-gutter">
      <span className="visually-hidden">{author.name}</span>
      <time
        className="message-time"
        dateTime={new Date(createdAt).toISOString()}
        title={format.full(createdAt)}
      >
        {format.time(createdAt)}
      </time>
    </div>
  );
}

function MessageMeta({
  author,
  createdAt,
  children,
}: {
  author: Member;
  createdAt: number;
  children?: ReactNode;
}) {
  const format = useTimeFormat();
  return (
    <div className="message-meta">
      <span className="message-author" data-testid="message-author" title={author.name}>
        {author.name}
      </span>
      <time
        className="message-time"
        dateTime={new Date(createdAt).toISOString()}
        title={format.full(createdAt)}
      >
        {format.time(createdAt)}
      </time>
      {children}
    </div>
  );
}
