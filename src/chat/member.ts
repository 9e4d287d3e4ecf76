import { avatarPath, type Member, providerAvatar } from "@parley/protocol";

export interface UserRecord {
  id: string;
  name: string;
  image?: string | null | undefined;
}

export function toMember(user: UserRecord): Member {
  return { id: user.id, name: user.name, image: providerAvatar(user.image) ?? avatarPath(user.id) };
}
