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

/** Upload records (the bytes are in a FileStore). */
export interface UploadStore extends UploadOwnership {
  insert(upload: StoredUpload): Promise<void>;
  byId(id: string): Promise<StoredUpload | undefined>;
  /** Bytes of every upload the person owns, pending or sent: what their quota counts. */
  usedBytes(ownerId: string): Promise<number>;
  /** Deletes up to `limit` pending uploads created before `before`; returns those it deleted. */
  deletePendingBefore(before: number, limit: number): Promise<StoredUpload[]>;
  /** Deletes the records of a message's files; returns those it deleted. */
  deleteForMessage(roomId: string, seq: number): Promise<StoredUpload[]>;
}
