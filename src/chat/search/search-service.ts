import type { Room, SearchPage, SearchQuery, SearchResult } from "@parley/protocol";
import type { RoomStore } from "../ports.js";
import type { RoomAccess } from "../room-access.js";
import { roomNameKey } from "../room-name.js";
import { matchMessage, requirementsOf, snippetOf } from "./matching.js";
import type { SearchStore } from "./search-ports.js";
import { type ParsedSearch, parseSearch, SearchQueryError, timeWindow } from "./search-query.js";

export interface SearchSettings {
  /** Most candidate matches read and ranked per search: the newest ones (SEARCH_CANDIDATE_LIMIT). */
  candidateLimit: number;
}

export const DEFAULT_SEARCH_SETTINGS: SearchSettings = { candidateLimit: 200 };

/**
 * Search over what one person may read. The index proposes candidates (newest first, at most
 * `candidateLimit`), the domain checks each against the query (phrases, CJK runs across bigrams),
 * ranks them by relevance then recency, and marks the matches.
 */
export class SearchService {
  constructor(
    private readonly store: SearchStore,
    private readonly rooms: RoomStore,
    private readonly access: RoomAccess,
    private readonly settings: SearchSettings = DEFAULT_SEARCH_SETTINGS,
  ) {}

  /** Throws SearchQueryError for a query it cannot run (the edge answers 400). */
  async search(userId: string, request: SearchQuery): Promise<SearchPage> {
    const parsed = parseSearch(request.q);
    const scoped = request.room !== undefined || parsed.in.length > 0;
    if (parsed.terms.length === 0 && parsed.from.length === 0 && !scoped) {
      throw new SearchQueryError(
        "needs_words",
        "A search needs a word, from: or in: (dates alone are not enough).",
      );
    }
    const roomIds = await this.roomScope(userId, request.room, parsed);
    const authorIds = parsed.from.length > 0 ? await this.authors(userId, parsed.from) : undefined;
    if (roomIds.length === 0) return { results: [], hasMore: false, partial: false };
    const window = timeWindow(parsed, request.tz);
    if (window.since !== undefined && window.until !== undefined && window.since >= window.until) {
      return { results: [], hasMore: false, partial: false };
    }
    const limit = this.settings.candidateLimit;
    const { messages: candidates, more } = await this.store.candidates({
      requirements: parsed.terms.flatMap(requirementsOf),
      roomIds,
      ...(authorIds && { authorIds }),
      ...window,
      limit,
    });
    const ranked = candidates
      .map((message, order) => ({ message, order, match: matchMessage(parsed.terms, message.body) }))
      .filter((entry) => entry.match !== undefined)
      // Candidates come newest first: among equals, `order` keeps that.
      .sort((a, b) => (b.match?.score ?? 0) - (a.match?.score ?? 0) || a.order - b.order);
    const page = ranked.slice(request.offset, request.offset + request.limit);
    const roomsById = new Map<string, Room | undefined>();
    for (const { message } of page) {
      if (!roomsById.has(message.roomId))
        roomsById.set(message.roomId, await this.rooms.byId(message.roomId));
    }
    const results: SearchResult[] = [];
    for (const { message, match } of page) {
      const room = roomsById.get(message.roomId);
      if (!room || !match) continue;
      results.push({
        room: { id: room.id, slug: room.slug, name: room.name },
        seq: message.seq,
        author: message.author,
        createdAt: message.createdAt,
        snippet: snippetOf(message.body, match.highlights),
      });
    }
    return {
      results,
      hasMore: ranked.length > request.offset + request.limit,
      partial: more,
    };
  }

  /** The rooms searched: those the person may read, narrowed by the `room` parameter and `in:`. */
  private async roomScope(
    userId: string,
    roomId: string | undefined,
    parsed: ParsedSearch,
  ): Promise<string[]> {
    let scope: Set<string> | undefined;
    const narrow = (ids: string[]) => {
      scope = new Set(scope ? ids.filter((id) => scope?.has(id)) : ids);
    };
    if (roomId !== undefined) {
      // A room the person may not read is answered like one that does not exist.
      if (!(await this.access.canRead(userId, roomId))) {
        throw new SearchQueryError("unknown_room", "There is no such room to search in.");
      }
      narrow([roomId]);
    }
    if (parsed.in.length > 0) {
      const named: string[] = [];
      for (const name of parsed.in) {
        const room = (await this.rooms.bySlug(name)) ?? (await this.rooms.byNameKey(roomNameKey(name)));
        if (!room || !(await this.access.canRead(userId, room.id))) {
          throw new SearchQueryError("unknown_room", `in: names no room you can read: "${name}".`);
        }
        named.push(room.id);
      }
      narrow(named);
    }
    return scope ? [...scope] : this.access.readableRoomIds(userId);
  }

  private async authors(userId: string, names: readonly string[]): Promise<string[]> {
    const ids = new Set<string>();
    for (const name of names) {
      if (name.toLowerCase() === "me") {
        ids.add(userId);
        continue;
      }
      const found = await this.store.peopleNamed(name);
      if (found.length === 0) {
        throw new SearchQueryError("unknown_person", `from: names no one called "${name}".`);
      }
      for (const id of found) ids.add(id);
    }
    return [...ids];
  }
}

/** A display name as from: compares it: NFKC, lower case, spaces squeezed. */
export function personNameKey(name: string): string {
  return name.normalize("NFKC").toLowerCase().trim().replace(/\s+/gu, " ");
}
