/** Messages by one author this close together share one header (avatar, name, time). */
export const GROUP_WINDOW_MS = 5 * 60_000;

export interface Placed {
  readonly authorId: string;
  readonly createdAt: number;
  /** Something shown just before it (the unread divider) starts a new group. */
  readonly breakBefore?: boolean;
}

export interface Placement {
  /** A day separator goes before it: it is the first message of its local calendar day. */
  readonly newDay: boolean;
  /** It continues the previous message's group: no avatar, name or time of its own. */
  readonly continued: boolean;
}

export function sameLocalDay(a: number, b: number): boolean {
  const x = new Date(a);
  const y = new Date(b);
  return x.getFullYear() === y.getFullYear() && x.getMonth() === y.getMonth() && x.getDate() === y.getDate();
}

/** Where day separators go and which messages continue a group, for messages in display order. */
export function placeMessages(items: readonly Placed[]): Placement[] {
  return items.map((item, index) => {
    const previous = index > 0 ? items[index - 1] : undefined;
    const newDay = !previous || !sameLocalDay(previous.createdAt, item.createdAt);
    const continued =
      previous !== undefined &&
      !newDay &&
      !item.breakBefore &&
      previous.authorId === item.authorId &&
      item.createdAt - previous.createdAt >= 0 &&
      item.createdAt - previous.createdAt < GROUP_WINDOW_MS;
    return { newDay, continued };
  });
}
