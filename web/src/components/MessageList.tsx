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
import { EMPTY_ROOM, mayDelete, mayEdit, messagePath, unreadCount } from "../core/index.js";
import { useTimeFormat } from "../format.js";
import { useProblemText } from "../i18n/problem-text.js";
import { useText } from "../i18n/use-text.js";
import { renderMarkdown } from "../markdown.js";
import { placeMessages } from "../message-groups.js";
import { Link } from "../router.js";
import { useChat, useChatCore } from "../use-chat.js";
import { Avatar } from "./Avatar.js";
import { MessageActions } from "./MessageActions.js";
import { MessageAttachments } from "./MessageAttachments.js";
import { MessageEditForm } from "./MessageEditForm.js";
import { Modal } from "./Modal.js";
import { MentionProvider, useMentionDecorator } from "./mention-text.js";
import { Reactions } from "./Reactions.js";

type Item =
  | { readonly kind: "message"; readonly key: string; readonly message: ChatMessage }
  | { readonly kind: "outbox"; readonly key: string; readonly entry: OutboxEntry };

type TopMarker = "loading" | "loading-older" | "more" | "start";

/** Within this distance of the bottom the list follows new messages; further up the reader is reading. */
const NEAR_BOTTOM_PX = 80;
/** Older history is fetched a little before the very top so scrolling rarely hits a wall. */
const LOAD_OLDER_PX = 120;
/** How long a touch must rest on a message to open its actions (a phone's long-press). */
const LONG_PRESS_MS = 500;
/** How long a message opened by a link stays highlighted. */
const HIGHLIGHT_MS = 2500;

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
  const slug = useChat((state) => state.rooms.find((candidate) => candidate.id === roomId)?.slug ?? "");
  const focus = room.focus;
  // edits (issue 15 part A): which message has its actions open (long-press), is being edited, or deleted.
  const [activeSeq, setActiveSeq] = useState<number | null>(null);
  const [deletingSeq, setDeletingSeq] = useState<number | null>(null);
  const [flashSeq, setFlashSeq] = useState<number | null>(null);

  const items = useMemo(() => {
    // A page around an old message replaces the live tail (and the outbox, which belongs to it).
    if (focus) {
      return focus.messages.map((message): Item => ({ kind: "message", key: `s${message.seq}`, message }));
    }
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
  }, [room.messages, outbox, roomId, me, focus]);

  const dividerBefore = useMemo(() => {
    if (dividerAfter == null) return undefined;
    return room.messages.find((message) => message.seq > dividerAfter)?.seq;
  }, [room.messages, dividerAfter]);

  const topMarker: TopMarker = focus
    ? focus.loadingOlder
      ? "loading-older"
      : focus.hasOlder
        ? "more"
        : "start"
    : !room.loaded
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
    // Older messages opened by a link are not the newest: nothing is read by looking at them.
    if (chat.getState().roomStates[roomId]?.focus) return;
    if (top !== undefined && fromBottom.current <= NEAR_BOTTOM_PX) chat.markSeen(roomId, top);
  }, [chat, roomId]);

  // A message opened by a link (or a reply's quote): into view, focused, highlighted a moment.
  const highlight = room.highlight;
  const shownHighlight = useRef<number | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the target may only be rendered with a later list of items
  useEffect(() => {
    if (!highlight || shownHighlight.current === highlight.token) return;
    const element = listRef.current?.querySelector<HTMLElement>(`[data-seq="${highlight.seq}"]`);
    if (!element) return;
    shownHighlight.current = highlight.token;
    element.scrollIntoView({ block: "center" });
    element.focus({ preventScroll: true });
    measure();
    setFlashSeq(highlight.seq);
  }, [highlight, items, measure]);

  useEffect(() => {
    if (flashSeq === null) return;
    const timer = setTimeout(() => setFlashSeq(null), HIGHLIGHT_MS);
    return () => clearTimeout(timer);
  }, [flashSeq]);

  const onActivate = useCallback((seq: number | null) => setActiveSeq(seq), []);

  // A touch anywhere else closes the actions a long-press opened.
  useEffect(() => {
    if (activeSeq === null) return;
    const closeOutside = (event: PointerEvent) => {
      if (!(event.target instanceof Element) || !event.target.closest(".message-active")) setActiveSeq(null);
    };
    document.addEventListener("pointerdown", closeOutside);
    return () => document.removeEventListener("pointerdown", closeOutside);
  }, [activeSeq]);
  const onEdit = useCallback(
    (seq: number | null) => {
      chat.startEdit(roomId, seq);
      setActiveSeq(null);
    },
    [chat, roomId],
  );
  const onDelete = useCallback((seq: number) => {
    setDeletingSeq(seq);
    setActiveSeq(null);
  }, []);

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
  // notify slice: who messages here may mention, for highlighting (members, and who is here now).
  const roomMembers = useChat((state) => state.roomMembers[roomId]);
  useEffect(() => {
    void chat.loadMembers(roomId);
  }, [chat, roomId]);
  const mentionable = useMemo(() => {
    const people = new Map<string, Member>();
    for (const member of [...(roomMembers ?? []), ...room.members, ...(me ? [me] : [])])
      people.set(member.id, member);
    return [...people.values()];
  }, [roomMembers, room.members, me]);

  return (
    <MentionProvider people={mentionable} meId={me?.id}>
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
                  <MessageItem
                    message={item.message}
                    continued={placement.continued}
                    myId={me?.id}
                    slug={slug}
                    active={activeSeq === item.message.seq}
                    editing={room.editing === item.message.seq}
                    flash={flashSeq === item.message.seq}
                    onActivate={onActivate}
                    onEdit={onEdit}
                    onDelete={onDelete}
                  />
                </>
              ) : me ? (
                <OutboxItem entry={item.entry} me={me} continued={placement.continued} />
              ) : null}
            </Fragment>
          );
        })}
      </div>
      {focus && (
        <div className="focus-bar" data-testid="focus-bar">
          <span className="muted">{t("messages.viewingOlder")}</span>
          <button
            type="button"
            className="button button-primary"
            data-testid="jump-to-latest"
            onClick={() => chat.closeFocus(roomId)}
          >
            {t("messages.jumpToLatest")}
          </button>
        </div>
      )}
      <Modal
        open={deletingSeq !== null}
        onClose={() => setDeletingSeq(null)}
        label={t("messages.deleteTitle")}
        className="dialog"
        testId="delete-dialog"
      >
        <div className="dialog-body">
          <h2 className="dialog-title">{t("messages.deleteTitle")}</h2>
          <p>{t("messages.deleteConfirm")}</p>
          <div className="dialog-actions">
            <button type="button" className="button" onClick={() => setDeletingSeq(null)}>
              {t("messages.cancel")}
            </button>
            <button
              type="button"
              className="button button-danger"
              data-testid="confirm-delete"
              onClick={() => {
                if (deletingSeq !== null) chat.deleteMessage(roomId, deletingSeq);
                setDeletingSeq(null);
              }}
            >
              {t("messages.delete")}
            </button>
          </div>
        </div>
      </Modal>
    </MentionProvider>
  );
}

interface MessageItemProps {
  message: ChatMessage;
  continued: boolean;
  myId: string | undefined;
  slug: string;
  /** Its actions were opened by a long-press (phones). */
  active: boolean;
  editing: boolean;
  /** Just opened by a link: highlighted for a moment. */
  flash: boolean;
  onActivate(seq: number | null): void;
  onEdit(seq: number | null): void;
  onDelete(seq: number): void;
}

const MessageItem = memo(function MessageItem({
  message,
  continued,
  myId,
  slug,
  active,
  editing,
  flash,
  onActivate,
  onEdit,
  onDelete,
}: MessageItemProps) {
  const chat = useChatCore();
  const t = useText();
  // Administrators may delete anyone's message (the server's ModerationPolicy agrees).
  const administrator = useChat((state) => state.role === "administrator");
  const pressTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const deleted = message.deletedAt !== undefined;
  const edited = message.editedAt !== undefined && !deleted;
  const editedLabel = (
    <span className="message-edited" data-testid="message-edited">
      {t("messages.edited")}
    </span>
  );
  const { roomId, seq } = message;
  const cancelPress = () => {
    clearTimeout(pressTimer.current);
    pressTimer.current = undefined;
  };
  const className = [
    "message",
    continued && "message-continued",
    deleted && "message-deleted",
    active && "message-active",
    flash && "message-highlight",
  ]
    .filter(Boolean)
    .join(" ");
  return (
    <article
      className={className}
      data-testid="message"
      data-seq={seq}
      data-state="sent"
      data-continued={continued || undefined}
      data-deleted={deleted || undefined}
      tabIndex={-1}
      // A long-press on a touch screen opens the actions; a mouse has hover for that.
      onPointerDown={(event) => {
        if (event.pointerType !== "touch" || deleted || editing) return;
        cancelPress();
        pressTimer.current = setTimeout(() => onActivate(seq), LONG_PRESS_MS);
      }}
      onPointerUp={cancelPress}
      onPointerCancel={cancelPress}
      onPointerLeave={cancelPress}
      onContextMenu={(event) => {
        // The long-press menu of the browser would cover ours.
        if (active || pressTimer.current !== undefined) event.preventDefault();
      }}
    >
      <MessageGutter author={message.author} createdAt={message.createdAt} continued={continued} />
      <div className="message-main">
        {!continued && (
          <MessageMeta author={message.author} createdAt={message.createdAt}>
            {edited && !editing && editedLabel}
          </MessageMeta>
        )}
        {message.replyTo && <ReplyQuote roomId={roomId} slug={slug} reply={message.replyTo} />}
        {deleted ? (
          <div className="message-body message-tombstone" data-testid="message-body">
            {t("messages.deleted")}
          </div>
        ) : editing ? (
          <MessageEditForm
            body={message.body}
            onCancel={() => onEdit(null)}
            onSave={(text) => {
              if (text.trim() === message.body || chat.edit(roomId, seq, text) === null) onEdit(null);
            }}
          />
        ) : (
          <>
            {message.body.length > 0 && <MessageBody body={message.body} />}
            {message.attachments && <MessageAttachments attachments={message.attachments} />}
            {edited && continued && editedLabel}
          </>
        )}
        {!deleted && message.reactions && (
          <Reactions
            reactions={message.reactions}
            myId={myId}
            onToggle={(emoji, had) => chat.react(roomId, seq, emoji, had ? "remove" : "add")}
          />
        )}
      </div>
      {!deleted && !editing && (
        <MessageActions
          authorName={message.author.name}
          canEdit={mayEdit(myId, message)}
          canDelete={mayDelete(myId, message, administrator)}
          open={active}
          onReact={(emoji) => chat.react(roomId, seq, emoji, "add")}
          onReply={() => {
            onActivate(null);
            chat.replyTo(roomId, seq);
          }}
          onEdit={() => onEdit(seq)}
          onDelete={() => onDelete(seq)}
          onClose={() => onActivate(null)}
        />
      )}
    </article>
  );
});

/** The quoted start of the message a reply answers; following it opens the room at that message. */
function ReplyQuote({
  roomId,
  slug,
  reply,
}: {
  roomId: string;
  slug: string;
  reply: NonNullable<ChatMessage["replyTo"]>;
}) {
  const chat = useChatCore();
  const t = useText();
  const label = reply.deleted
    ? t("messages.replyToDeleted")
    : t("messages.replyTo", { name: reply.authorName, excerpt: reply.excerpt });
  return (
    <Link
      to={messagePath(slug, reply.seq)}
      className="message-reply"
      data-testid="reply-quote"
      // A new address opens it through the route; the same address again only brings it back into view.
      onClick={() => {
        const target = messagePath(slug, reply.seq);
        if (window.location.pathname + window.location.search === target)
          void chat.openMessage(roomId, reply.seq);
      }}
      title={label}
    >
      <span className="message-reply-author">{reply.deleted ? "" : reply.authorName}</span>
      <span className="message-reply-excerpt">
        {reply.deleted ? t("messages.replyToDeleted") : reply.excerpt}
      </span>
    </Link>
  );
}

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
  // notify slice: mentions highlighted (the reader's own more strongly).
  const decorate = useMentionDecorator();
  return (
    <div className="message-body" data-testid="message-body">
      {renderMarkdown(body, decorate)}
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
