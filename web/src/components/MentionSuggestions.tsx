import { type Member, ROOM_WIDE_MENTIONS } from "@parley/protocol";
import { useText } from "../i18n/use-text.js";
import { Avatar } from "./Avatar.js";

/** A choice in the @mention list: a person, or `@here` / `@room`. */
export type Suggestion =
  | { readonly kind: "person"; readonly member: Member }
  | { readonly kind: "here" | "room" };

/** Suggestions shown at most. */
const MAX_SUGGESTIONS = 6;

/** Members whose name starts with the query (then contains it), ignoring case; then @here/@room. */
export function suggestionsFor(
  query: string,
  members: readonly Member[],
  meId: string | undefined,
): Suggestion[] {
  const key = query.toLocaleLowerCase();
  const people = members.filter((member) => member.id !== meId);
  const starts = people.filter((member) => member.name.toLocaleLowerCase().startsWith(key));
  const contains = people.filter(
    (member) =>
      !member.name.toLocaleLowerCase().startsWith(key) && member.name.toLocaleLowerCase().includes(key),
  );
  const byName = (a: Member, b: Member) => a.name.localeCompare(b.name);
  const found: Suggestion[] = [...starts.sort(byName), ...contains.sort(byName)].map((member) => ({
    kind: "person",
    member,
  }));
  for (const wide of ROOM_WIDE_MENTIONS) if (wide.startsWith(key)) found.push({ kind: wide });
  return found.slice(0, MAX_SUGGESTIONS);
}

export function suggestionText(suggestion: Suggestion): string {
  return suggestion.kind === "person" ? suggestion.member.name : suggestion.kind;
}

export function suggestionId(listId: string, index: number): string {
  return `${listId}-${index}`;
}

/** The listbox under the composer; the textarea keeps focus and points at the active option. */
export function MentionSuggestions({
  id,
  suggestions,
  active,
  onChoose,
}: {
  id: string;
  suggestions: readonly Suggestion[];
  active: number;
  onChoose: (suggestion: Suggestion) => void;
}) {
  const t = useText();
  return (
    <div
      className="mention-suggestions"
      id={id}
      role="listbox"
      aria-label={t("mentions.suggestions")}
      data-testid="mention-suggestions"
    >
      {suggestions.map((suggestion, index) => (
        // biome-ignore lint/a11y/useKeyWithClickEvents: the keyboard chooses from the composer (arrows, Enter, Tab), which keeps focus
        <div
          key={suggestion.kind === "person" ? suggestion.member.id : suggestion.kind}
          id={suggestionId(id, index)}
          role="option"
          aria-selected={index === active}
          tabIndex={-1}
          className={index === active ? "mention-option active" : "mention-option"}
          data-testid="mention-option"
          // Keeps the caret in the textarea.
          onMouseDown={(event) => event.preventDefault()}
          onClick={() => onChoose(suggestion)}
        >
          {suggestion.kind === "person" ? (
            <>
              <Avatar member={suggestion.member} size={20} />
              <span className="mention-option-name">{suggestion.member.name}</span>
            </>
          ) : (
            <>
              <span className="mention-option-name">@{suggestion.kind}</span>
              <span className="mention-option-hint muted">{t(`mentions.${suggestion.kind}`)}</span>
            </>
          )}
        </div>
      ))}
    </div>
  );
}
