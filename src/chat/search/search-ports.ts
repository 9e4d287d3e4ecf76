import type { Message } from "@parley/protocol";
import type { TokenRequirement } from "./matching.js";

/** What the search index is asked for: messages that may match, before the domain checks them. */
export interface SearchCandidateQuery {
  /** Every one must hold; empty: any message (then `roomIds` bounds the search). */
  requirements: readonly TokenRequirement[];
  /** Only messages of these rooms (never empty: the domain answers an empty scope itself). */
  roomIds: readonly string[];
  /** Only messages by these people, when given. */
  authorIds?: readonly string[];
  /** Only messages created at or after `since` and before `until` (epoch ms), when given. */
  since?: number;
  until?: number;
  /** At most this many, the newest first. */
  limit: number;
}

export interface CandidatePage {
  /** Newest first (by createdAt, then room and seq), at most the limit. */
  messages: Message[];
  /** Older candidates may exist: the limit was reached, or the index stopped reading (its own bound). */
  more: boolean;
}

/**
 * The message index search reads. The SQL adapter keeps a token table beside the messages
 * (decision 0039); a dedicated engine (OpenSearch) would implement the same port (decision 0041).
 */
export interface SearchStore {
  /** Messages whose tokens meet every requirement, newest first (by createdAt, then room and seq). */
  candidates(query: SearchCandidateQuery): Promise<CandidatePage>;
  /** Ids of the people whose display name is `name` (compared after NFKC and lower case). */
  peopleNamed(name: string): Promise<string[]>;
}

/**
 * Keeps the index in step with changes to stored messages. New messages are indexed after their
 * send's commit, in batches (the SQL adapter's SearchIndexer, decision 0049); edits and deletes call this.
 */
export interface MessageIndexer {
  /** Indexes the message's current text again (after an edit), or drops it if it is gone. */
  reindex(roomId: string, seq: number): Promise<void>;
  /** Drops the message from the index (after a delete). */
  remove(roomId: string, seq: number): Promise<void>;
}
