import { type Member, providerAvatar } from "../protocol/index.js";

export interface UserRecord {
  id: string;
  name: string;
  image?: string | null | undefined;
}

/** Users without a provider picture on an avatar host get the locally generated avatar, never another host. */
export function avatarPath(userId: string): string {
  return `/api/avatars/${encodeURIComponent(userId)}.svg`;
}

export function toMember(user: UserRecord): Member {
  return { id: user.id, name: user.name, image: providerAvatar(user.image) ?? avatarPath(user.id) };
}
