import { findMentions, type Member, type MentionIndex, mentionIndex } from "@parley/protocol";
import { createContext, createElement, Fragment, type ReactNode, useContext, useMemo } from "react";
import type { DecorateText } from "../markdown.js";

interface MentionContextValue {
  readonly index: MentionIndex;
  readonly meId: string | undefined;
}

/** The people a room's messages may mention, and who is reading (their own mentions stand out more). */
const MentionContext = createContext<MentionContextValue>({ index: [], meId: undefined });

export function MentionProvider({
  people,
  meId,
  children,
}: {
  people: readonly Member[];
  meId: string | undefined;
  children: ReactNode;
}) {
  const value = useMemo(() => ({ index: mentionIndex(people), meId }), [people, meId]);
  return <MentionContext.Provider value={value}>{children}</MentionContext.Provider>;
}

/** Splits text at mentions (the protocol's parser, as the server resolves them) into highlighted spans. */
export function useMentionDecorator(): DecorateText {
  const { index, meId } = useContext(MentionContext);
  return useMemo(
    () => (text: string, key: number) => {
      const found = findMentions(text, index);
      if (found.length === 0) return text;
      const parts: ReactNode[] = [];
      let at = 0;
      for (const mention of found) {
        if (mention.start > at) parts.push(text.slice(at, mention.start));
        const mine = mention.kind !== "person" || mention.userId === meId;
        parts.push(
          <span
            key={mention.start}
            className={mine ? "mention mention-me" : "mention"}
            data-testid={mine ? "mention-me" : "mention"}
          >
            {text.slice(mention.start, mention.end)}
          </span>,
        );
        at = mention.end;
      }
      if (at < text.length) parts.push(text.slice(at));
      return createElement(Fragment, { key }, ...parts);
    },
    [index, meId],
  );
}
