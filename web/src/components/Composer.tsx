import { MAX_MESSAGE_LENGTH, mentionQueryAt } from "@parley/protocol";
import {
  type ClipboardEvent,
  type KeyboardEvent,
  useEffect,
  useId,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
} from "react";
import { EMPTY_ROOM, type Problem } from "../core/index.js";
import { useProblemText, useRoomErrorText } from "../i18n/problem-text.js";
import { Text } from "../i18n/Text.js";
import { useText } from "../i18n/use-text.js";
import { useChat, useChatCore } from "../use-chat.js";
import { useUploadDrafts } from "../use-upload-drafts.js";
import { DraftFiles } from "./DraftFiles.js";
import { ImeEnterGuard } from "./ime-enter.js";
import {
  MentionSuggestions,
  type Suggestion,
  suggestionId,
  suggestionsFor,
  suggestionText,
} from "./MentionSuggestions.js";

/** Show the counter only when the limit is close enough to matter. */
const COUNTER_FROM = MAX_MESSAGE_LENGTH - 400;
const MAX_HEIGHT_PX = 200;

export function Composer({ roomId, roomName }: { roomId: string; roomName: string }) {
  const chat = useChatCore();
  const t = useText();
  const describe = useProblemText();
  const describeRoomError = useRoomErrorText();
  const [text, setText] = useState("");
  const [localError, setLocalError] = useState<Problem | null>(null);
  const roomError = useChat((state) => (state.roomStates[roomId] ?? EMPTY_ROOM).error);
  const replyingTo = useChat((state) => (state.roomStates[roomId] ?? EMPTY_ROOM).replyingTo);
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const [ime] = useState(() => new ImeEnterGuard());
  // notify slice: @mention autocomplete. Nothing is suggested while an IME is composing.
  const [caret, setCaret] = useState(0);
  const [composing, setComposing] = useState(false);
  const [activeSuggestion, setActiveSuggestion] = useState(0);
  const [dismissedAt, setDismissedAt] = useState<number | null>(null);
  const suggestionListId = useId();
  const me = useChat((state) => state.me);
  const roomMembers = useChat((state) => state.roomMembers[roomId]);
  const mentionQuery = composing ? undefined : mentionQueryAt(text, caret);
  const suggestions = useMemo(
    () =>
      mentionQuery && mentionQuery.start !== dismissedAt
        ? suggestionsFor(mentionQuery.query, roomMembers ?? [], me?.id)
        : [],
    [mentionQuery, dismissedAt, roomMembers, me],
  );
  const suggesting = suggestions.length > 0;
  useEffect(() => {
    if (mentionQuery) void chat.loadMembers(roomId);
  }, [mentionQuery, chat, roomId]);

  const choose = (suggestion: Suggestion) => {
    if (!mentionQuery) return;
    const inserted = `@${suggestionText(suggestion)} `;
    const next = text.slice(0, mentionQuery.start) + inserted + text.slice(caret);
    const position = mentionQuery.start + inserted.length;
    setText(next);
    setCaret(position);
    setActiveSuggestion(0);
    requestAnimationFrame(() => inputRef.current?.setSelectionRange(position, position));
  };
  // files (issue 16):
  const drafts = useUploadDrafts();
  const fileInputRef = useRef<HTMLInputElement>(null);

  // Entering a room is a request to talk in it, as in Slack: the caret starts in the composer.
  // Not on touch screens, where focusing would throw the on-screen keyboard over the messages.
  useEffect(() => {
    if (!window.matchMedia("(pointer: coarse)").matches) inputRef.current?.focus();
  }, []);

  // Grow with the text up to a cap, then scroll inside.
  // biome-ignore lint/correctness/useExhaustiveDependencies: the height must be re-measured whenever the rendered text changes
  useLayoutEffect(() => {
    const input = inputRef.current;
    if (!input) return;
    input.style.height = "auto";
    input.style.height = `${Math.min(input.scrollHeight, MAX_HEIGHT_PX)}px`;
  }, [text]);

  // Reply was chosen on a message: the caret comes here to write the answer.
  useEffect(() => {
    if (replyingTo !== null) inputRef.current?.focus();
  }, [replyingTo]);

  const submit = () => {
    const files = drafts.ready(roomId);
    if ("problem" in files) {
      setLocalError(files.problem);
      return;
    }
    const refusal = chat.send(roomId, text, files.attachments, replyingTo?.seq);
    setLocalError(refusal);
    if (refusal === null) {
      setText("");
      setCaret(0);
      chat.replyTo(roomId, null);
      drafts.clear(roomId);
    }
    inputRef.current?.focus();
  };

  // A pasted image (a screenshot) or file is attached; pasted text is left to the textarea.
  const onPaste = (event: ClipboardEvent<HTMLTextAreaElement>) => {
    const files = [...event.clipboardData.files];
    if (files.length === 0) return;
    event.preventDefault();
    drafts.add(roomId, files);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    // Checked on every key, so "the first keydown after compositionend" is exact.
    const fromIme = ime.isImeKeydown(event);
    if (suggesting && !fromIme) {
      const step = event.key === "ArrowDown" ? 1 : event.key === "ArrowUp" ? -1 : 0;
      if (step !== 0) {
        event.preventDefault();
        setActiveSuggestion((current) => (current + step + suggestions.length) % suggestions.length);
        return;
      }
      if ((event.key === "Enter" && !event.shiftKey) || event.key === "Tab") {
        event.preventDefault();
        const chosen = suggestions[Math.min(activeSuggestion, suggestions.length - 1)];
        if (chosen) choose(chosen);
        return;
      }
      if (event.key === "Escape") {
        event.preventDefault();
        setDismissedAt(mentionQuery?.start ?? null);
        return;
      }
    }
    if (event.key === "Escape" && !fromIme && replyingTo !== null) {
      event.preventDefault();
      chat.replyTo(roomId, null);
      return;
    }
    // As in Slack: Up in an empty composer edits your last message.
    if (event.key === "ArrowUp" && !fromIme && text === "" && chat.editLastOwn(roomId)) {
      event.preventDefault();
      return;
    }
    if (event.key !== "Enter" || event.shiftKey || fromIme) return;
    event.preventDefault();
    submit();
  };

  // Kept as codes and worded here, so a change of language rewords what is on screen.
  const error = localError ? describe(localError) : roomError ? describeRoomError(roomError) : null;
  const length = text.trim().length;
  const label = t("composer.label", { room: roomName });

  return (
    <div className="composer">
      {error && (
        <p className="composer-error" data-testid="composer-error" role="alert">
          {error}
        </p>
      )}
      {suggesting && (
        <MentionSuggestions
          id={suggestionListId}
          suggestions={suggestions}
          active={Math.min(activeSuggestion, suggestions.length - 1)}
          onChoose={choose}
        />
      )}
      {replyingTo !== null && (
        <div className="composer-reply" data-testid="composer-reply">
          <span className="composer-reply-text">
            {t("composer.replyingTo", { name: replyingTo.authorName })}
          </span>
          <button
            type="button"
            className="link-button"
            data-testid="cancel-reply"
            onClick={() => chat.replyTo(roomId, null)}
          >
            {t("composer.cancelReply")}
          </button>
        </div>
      )}
      <DraftFiles roomId={roomId} onRemoved={() => inputRef.current?.focus()} />
      <div className="composer-row">
        <button
          type="button"
          className="icon-button composer-attach"
          data-testid="attach"
          aria-label={t("composer.attach")}
          title={t("composer.attach")}
          onClick={() => fileInputRef.current?.click()}
        >
          <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">
            <path
              d="M16.5 6.5 8.6 14.4a2 2 0 0 0 2.8 2.8l7.9-7.9a4 4 0 0 0-5.7-5.7l-7.9 7.9a6 6 0 0 0 8.5 8.5l6.4-6.4"
              fill="none"
              stroke="currentColor"
              strokeWidth="1.8"
              strokeLinecap="round"
            />
          </svg>
        </button>
        <input
          ref={fileInputRef}
          type="file"
          multiple
          hidden
          data-testid="file-input"
          onChange={(event) => {
            const picked = [...(event.target.files ?? [])];
            event.target.value = "";
            if (picked.length > 0) drafts.add(roomId, picked);
          }}
        />
        <textarea
          ref={inputRef}
          className="composer-input"
          data-testid="composer"
          rows={1}
          placeholder={label}
          aria-label={label}
          enterKeyHint="send"
          value={text}
          aria-autocomplete="list"
          aria-controls={suggesting ? suggestionListId : undefined}
          aria-activedescendant={
            suggesting
              ? suggestionId(suggestionListId, Math.min(activeSuggestion, suggestions.length - 1))
              : undefined
          }
          onChange={(event) => {
            setText(event.target.value);
            setCaret(event.target.selectionStart);
            setActiveSuggestion(0);
            if (localError) setLocalError(null);
            // notify slice: the room sees "… is typing" (the core sends at most one frame per interval).
            if (event.target.value.trim().length > 0) chat.typingIn(roomId);
          }}
          onSelect={(event) => setCaret(event.currentTarget.selectionStart)}
          onKeyDown={onKeyDown}
          onPaste={onPaste}
          onCompositionStart={() => {
            ime.onCompositionStart();
            setComposing(true);
          }}
          onCompositionEnd={(event) => {
            ime.onCompositionEnd(event);
            setComposing(false);
            setCaret(event.currentTarget.selectionStart);
          }}
        />
        <button
          type="button"
          className="button button-primary composer-send"
          data-testid="send"
          // Keeps the caret in the textarea when the button is clicked.
          onMouseDown={(event) => event.preventDefault()}
          onClick={submit}
        >
          {t("composer.send")}
        </button>
      </div>
      <div className="composer-hint">
        <span className="composer-keys">
          <Text id="composer.hint" values={{ kbd: (chunks) => <kbd>{chunks}</kbd> }} />
        </span>
        {length >= COUNTER_FROM && (
          <span className={length > MAX_MESSAGE_LENGTH ? "composer-count over" : "composer-count"}>
            {length}/{MAX_MESSAGE_LENGTH}
          </span>
        )}
      </div>
    </div>
  );
}
