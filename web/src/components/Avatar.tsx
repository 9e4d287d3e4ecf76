import type { Member } from "@parley/protocol";

/** The name is always printed next to the picture, so the image itself is decorative. */
export function Avatar({ member, size }: { member: Member; size: number }) {
  return (
    <img
      className="avatar"
      src={member.image}
      alt=""
      width={size}
      height={size}
      loading="lazy"
      decoding="async"
    />
  );
}
