import type { SearchResult } from "@parley/protocol";
import { type KeyboardEvent, useEffect, useId, useRef, useState, useSyncExternalStore } from "react";
import { resultPath, type SearchState, snippetPieces } from "../core/index.js";
import { useTimeFormat } from "../format.js";
import { useProblemText } from "../i18n/problem-text.js";
import { useText } from "../i18n/use-text.js";
import { Link } from "../router.js";
import { useChatCore } from "../use-chat.js";
import { ImeEnterGuard } from "./ime-enter.js";
import { Modal } from "./Modal.js";

function useSearchState(): SearchState {
  const { search } = useChatCore();
  return useSyncExternalStore(search.subscribe, search.getState);
}

/** True when a keystroke goes into something the reader is typing in. */
function typingInField(target: EventTarget | null): boolean {
  return (
    target instanceof HTMLElement &&
    (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName))
  );
}

/**
 * The header's search button, and the search dialog it opens. `/` (outside a text field) or
 * Ctrl+K / ⌘K open it from anywhere in the room.
 */
export function SearchButton({ roomId, roomName }: { roomId: string; roomName: string }) {
  const t = useText();
  const [open, setOpen] = useState(false);

  useEffect(() => {
    const onKey = (event: globalThis.KeyboardEvent) => {
      const commandK = (event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "k";
      const slash = event.key === "/" && !event.ctrlKey && !event.metaKey && !typingInField(event.target);
      if (!commandK && !slash) return;
      event.preventDefault();
      setOpen(true);
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, []);

  return (
    <>
      <button
        type="button"
        className="search-button"
        data-testid="open-search"
        aria-label={t("search.open")}
        aria-keyshortcuts="/ Control+K"
        title={t("search.shortcut")}
        onClick={() => setOpen(true)}
      >
        <svg className="search-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
          <circle cx="10.5" cy="10.5" r="6.5" fill="none" stroke="currentColor" strokeWidth="2.2" />
          <path d="M15.5 15.5 21 21" stroke="currentColor" strokeWidth="2.2" strokeLinecap="round" />
        </svg>
        <span className="search-button-text">{t("search.open")}</span>
      </button>
      <Modal
        open={open}
        onClose={() => setOpen(false)}
        label={t("search.label")}
        className="search-dialog"
        testId="search-dialog"
      >
        <SearchForm roomId={roomId} roomName={roomName} onDone={() => setOpen(false)} />
      </Modal>
    </>
  );
}

function SearchForm({ roomId, roomName, onDone }: { roomId: string; roomName: string; onDone(): void }) {
  const { search } = useChatCore();
  const t = useText();
  const describe = useProblemText();
  const state = useSearchState();
  const [query, setQuery] = useState(state.query);
  const [inRoom, setInRoom] = useState(state.status === "idle" ? false : state.roomId === roomId);
  const [ime] = useState(() => new ImeEnterGuard());
  const input = useRef<HTMLInputElement>(null);
  const list = useRef<HTMLOListElement>(null);
  const hintId = useId();
  const statusId = useId();

  useEffect(() => {
    input.current?.focus();
    input.current?.select();
  }, []);

  const run = (scopeInRoom = inRoom) => void search.run(query, scopeInRoom ? roomId : null);

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === "Enter") {
      // Enter that confirms an IME candidate is not a search.
      event.preventDefault();
      if (!ime.isImeKeydown(event)) run();
      return;
    }
    if (ime.isImeKeydown(event)) return;
    if (event.key === "Escape") {
      // A search field's own Escape only empties it; here it closes the search, as elsewhere.
      event.preventDefault();
      onDone();
      return;
    }
    if (event.key === "ArrowDown") {
      list.current?.querySelector<HTMLElement>("a")?.focus();
      event.preventDefault();
    }
  };

  const onListKeyDown = (event: KeyboardEvent<HTMLOListElement>) => {
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
    const links = [...(list.current?.querySelectorAll<HTMLElement>("a") ?? [])];
    const at = links.indexOf(document.activeElement as HTMLElement);
    event.preventDefault();
    if (event.key === "ArrowUp" && at <= 0) return input.current?.focus();
    links[Math.min(links.length - 1, Math.max(0, at + (event.key === "ArrowDown" ? 1 : -1)))]?.focus();
  };

  return (
    <div className="search-panel">
      <form
        className="search-form"
        onSubmit={(event) => {
          event.preventDefault();
          run();
        }}
      >
        <input
          ref={input}
          type="search"
          className="input search-input"
          data-testid="search-input"
          aria-label={t("search.label")}
          aria-describedby={hintId}
          placeholder={t("search.placeholder")}
          enterKeyHint="search"
          maxLength={256}
          value={query}
          onChange={(event) => setQuery(event.target.value)}
          onKeyDown={onKeyDown}
          onCompositionStart={ime.onCompositionStart}
          onCompositionEnd={ime.onCompositionEnd}
        />
        <button
          type="button"
          className="icon-button search-close"
          aria-label={t("search.close")}
          onClick={onDone}
        >
          <span aria-hidden="true">×</span>
        </button>
      </form>
      <div className="search-scope" role="radiogroup" aria-label={t("search.scope")}>
        {[false, true].map((roomOnly) => (
          <label key={String(roomOnly)} className="search-scope-option">
            <input
              type="radio"
              name="search-scope"
              data-testid={roomOnly ? "search-in-room" : "search-everywhere"}
              checked={inRoom === roomOnly}
              onChange={() => {
                setInRoom(roomOnly);
                if (query.trim()) run(roomOnly);
              }}
            />
            {roomOnly ? t("search.scope.room", { room: roomName }) : t("search.scope.all")}
          </label>
        ))}
      </div>
      <p className="field-hint search-hint" id={hintId}>
        {t("search.help")}
      </p>
      <div className="search-status" id={statusId} role="status" data-testid="search-status">
        {state.status === "loading" && t("search.loading")}
        {state.status === "done" && state.results.length === 0 && t("search.none", { query: state.query })}
        {state.status === "done" &&
          state.results.length > 0 &&
          t("search.count", { count: state.results.length, more: state.hasMore ? "yes" : "no" })}
      </div>
      {state.problem && (
        <p className="form-error" role="alert" data-testid="search-error">
          {describe(state.problem)}
        </p>
      )}
      {state.results.length > 0 && (
        <ol
          className="search-results"
          ref={list}
          aria-describedby={statusId}
          onKeyDown={onListKeyDown}
          data-testid="search-results"
        >
          {state.results.map((result) => (
            <li key={`${result.room.id}/${result.seq}`}>
              <ResultLink result={result} onOpen={onDone} />
            </li>
          ))}
        </ol>
      )}
      {state.status === "done" && state.partial && !state.hasMore && (
        <p className="field-hint">{t("search.partial")}</p>
      )}
      {state.hasMore && (
        <button
          type="button"
          className="button search-more"
          disabled={state.loadingMore}
          onClick={() => void search.more()}
        >
          {state.loadingMore ? t("search.loading") : t("search.more")}
        </button>
      )}
    </div>
  );
}

function ResultLink({ result, onOpen }: { result: SearchResult; onOpen(): void }) {
  const time = useTimeFormat();
  return (
    <Link to={resultPath(result)} className="search-result" data-testid="search-result" onClick={onOpen}>
      <span className="search-result-meta">
        <span className="search-result-room">#{result.room.name}</span>
        <span className="search-result-author">{result.author.name}</span>
        <time dateTime={new Date(result.createdAt).toISOString()} title={time.full(result.createdAt)}>
          {time.day(result.createdAt)} {time.time(result.createdAt)}
        </time>
      </span>
      <span className="search-snippet">
        {result.snippet.cutStart && "…"}
        {snippetPieces(result.snippet).map((piece, i) =>
          // Text nodes only: whatever a message holds is shown as text, never parsed as HTML.
          piece.marked ? (
            // biome-ignore lint/suspicious/noArrayIndexKey: pieces never reorder
            <mark key={i}>{piece.text}</mark>
          ) : (
            // biome-ignore lint/suspicious/noArrayIndexKey: pieces never reorder
            <span key={i}>{piece.text}</span>
          ),
        )}
        {result.snippet.cutEnd && "…"}
      </span>
    </Link>
  );
}
