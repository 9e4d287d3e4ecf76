import { z } from "zod";
import { type Member, Message } from "./entities.js";

/**
 * A message inside a page (`joined`, a history page): its author named by id, the person
 * themselves carried once in the page's `users`. A page of a thousand messages by two people
 * carries two names and two avatars, not a thousand of each.
 */
export const PagedMessage = Message.omit({ author: true }).extend({ authorId: z.string() });
export type PagedMessage = z.infer<typeof PagedMessage>;

/** What every page holds: each author once, and messages that name their author by id. */
export interface AuthoredPage {
  users: readonly Member[];
  messages: readonly PagedMessage[];
}

/** A page with its messages back as full `Message`s and no `users`. */
export type ExpandedPage<T extends AuthoredPage> = Omit<T, "users" | "messages"> & { messages: Message[] };

/** Thrown by `expandPage` for a page that names an author it does not carry. */
export class UnknownAuthorError extends Error {
  constructor(readonly authorId: string) {
    super(`a message names author ${authorId}, who is not in the page's users`);
    this.name = "UnknownAuthorError";
  }
}

/** The id of the first message's author the page's `users` lack, if any. */
export function missingAuthor(page: AuthoredPage): string | undefined {
  const known = new Set(page.users.map((user) => user.id));
  return page.messages.find((message) => !known.has(message.authorId))?.authorId;
}

/**
 * Schema check for a page (`.superRefine(refineAuthors)`): every `authorId` is in `users`. A
 * frame that breaks it fails to parse, a protocol error like any other malformed frame.
 */
export function refineAuthors(page: AuthoredPage, context: z.RefinementCtx): void {
  const missing = missingAuthor(page);
  if (missing !== undefined) {
    context.addIssue({
      code: "custom",
      path: ["messages"],
      message: `a message names author ${missing}, who is not in users`,
    });
  }
}

/**
 * The page form of `messages` (oldest first): each author once in `users`, in order of first
 * appearance. A person whose profile differs between messages is carried as on the newest one.
 */
export function toPage(messages: readonly Message[]): { users: Member[]; messages: PagedMessage[] } {
  const users = new Map<string, Member>();
  const paged = messages.map(({ author, ...message }) => {
    users.set(author.id, author);
    return { ...message, authorId: author.id };
  });
  return { users: [...users.values()], messages: paged };
}

/**
 * The page with its messages as full `Message`s, each author put back from `users`, so the rest
 * of a client handles one shape of message. Throws `UnknownAuthorError` for an author the page
 * lacks (a page that passed its schema never does).
 */
export function expandPage<T extends AuthoredPage>(page: T): ExpandedPage<T> {
  const users = new Map(page.users.map((user) => [user.id, user]));
  const { users: _users, messages, ...rest } = page;
  return {
    ...rest,
    messages: messages.map(({ authorId, ...message }) => {
      const author = users.get(authorId);
      if (!author) throw new UnknownAuthorError(authorId);
      return { ...message, author };
    }),
  };
}
