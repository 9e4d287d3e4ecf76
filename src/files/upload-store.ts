import type { UploadOwnership } from "../chat/ports.js";

/** An upload as stored: pending while `roomId` is undefined. */
export interface StoredUpload {
  id: string;
  ownerId: string;
  name: string;
  size: number;
  type: string;
  width?: number;
  height?: number;
  hasThumbnail: boolean;
  createdAt: number;
  roomId?: string;
  messageSeq?: number;
}

/** What `reserve` did: stored the record, or refused it because the quota would be exceeded. */
export type Reservation = { kind: "reserved" } | { kind: "over_quota"; usedBytes: number };

/** Stored bytes to remove: an upload whose record is gone (decision 0054). */
export interface QueuedDeletion {
  uploadId: string;
  hasThumbnail: boolean;
}

/**
 * Upload records (the bytes are in a FileStore). Every delete of a record queues its bytes for
 * deletion in the same transaction (`queuedDeletions`), so bytes never outlive their record for
 * good, whatever stops between the record's delete and the bytes'.
 */
export interface UploadStore extends UploadOwnership {
  /**
   * Stores the record of a new (pending) upload if the owner's files, this one included, take at
   * most `quotaBytes`; the check and the insert are one step, so two uploads of one person at
   * once never both pass on the same room.
   */
  reserve(upload: StoredUpload, quotaBytes: number): Promise<Reservation>;
  byId(id: string): Promise<StoredUpload | undefined>;
  /** Bytes of every upload the person owns, pending or sent: what their quota counts. */
  usedBytes(ownerId: string): Promise<number>;
  /** The person's pending uploads, oldest first (at most `limit`): what expiring would free. */
  pendingOf(ownerId: string, limit: number): Promise<StoredUpload[]>;
  /** Deletes up to `limit` pending uploads created before `before`; returns those it deleted. */
  deletePendingBefore(before: number, limit: number): Promise<StoredUpload[]>;
  /** Deletes one upload's record if it is still pending (a send binding it meanwhile wins). */
  deletePending(id: string): Promise<boolean>;
  /** The oldest bytes waiting to be removed (at most `limit`). */
  queuedDeletions(limit: number): Promise<QueuedDeletion[]>;
  /** The bytes of these uploads are gone: forget them. */
  deletionsDone(uploadIds: readonly string[]): Promise<void>;
}
