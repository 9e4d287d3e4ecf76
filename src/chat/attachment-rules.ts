/**
 * Thrown by a message store when an upload named by a send could not be bound to it: it is not the
 * author's, was sent with another message meanwhile, or was swept as abandoned. Nothing is stored.
 */
export class AttachmentUnavailableError extends Error {
  constructor(readonly uploadId: string) {
    super(`upload ${uploadId} cannot be attached`);
    this.name = "AttachmentUnavailableError";
  }
}

/** The words of the `attachment_unavailable` refusal. */
export function attachmentUnavailableText(ids: readonly string[]): string {
  return `The file${ids.length > 1 ? "s" : ""} ${ids.join(", ")} cannot be attached: upload ${ids.length > 1 ? "them" : "it"} again (an upload can be sent once, only by whoever uploaded it, before it expires). Nothing was stored.`;
}
