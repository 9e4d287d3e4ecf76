import { z } from "zod";

/**
 * The parts of Slack's export files the import reads (Slack's "Export your workspace data"
 * format). Everything else in them is allowed and ignored: Slack adds fields over the years.
 */
export const SlackUser = z.looseObject({
  id: z.string().min(1),
  team_id: z.string().optional(),
  name: z.string().optional(),
  real_name: z.string().optional(),
  deleted: z.boolean().optional(),
  is_bot: z.boolean().optional(),
  profile: z
    .looseObject({
      email: z.string().optional(),
      display_name: z.string().optional(),
      real_name: z.string().optional(),
    })
    .optional(),
});
export type SlackUser = z.infer<typeof SlackUser>;

export const SlackChannel = z.looseObject({
  id: z.string().min(1),
  name: z.string().min(1),
  created: z.number().optional(),
  is_archived: z.boolean().optional(),
  members: z.array(z.string()).optional(),
});
export type SlackChannel = z.infer<typeof SlackChannel>;

/** A conversation of groups.json, mpims.json or dms.json: only counted (see the import's report). */
export const SlackConversation = z.looseObject({ id: z.string().min(1), name: z.string().optional() });

/** Slack's message time: seconds and microseconds, "1700000000.123456", unique within a channel. */
export const SlackTs = z.string().regex(/^\d{1,12}(\.\d{1,6})?$/, "a Slack ts is seconds.microseconds");

export const SlackFile = z.looseObject({
  name: z.string().optional(),
  title: z.string().optional(),
  permalink: z.string().optional(),
  url_private: z.string().optional(),
});

export const SlackMessage = z.looseObject({
  type: z.string().optional(),
  subtype: z.string().optional(),
  ts: SlackTs,
  user: z.string().optional(),
  text: z.string().optional(),
  thread_ts: SlackTs.optional(),
  bot_id: z.string().optional(),
  username: z.string().optional(),
  user_profile: z
    .looseObject({
      display_name: z.string().optional(),
      real_name: z.string().optional(),
      name: z.string().optional(),
    })
    .optional(),
  files: z.array(SlackFile).optional(),
  attachments: z
    .array(z.looseObject({ fallback: z.string().optional(), text: z.string().optional() }))
    .optional(),
});
export type SlackMessage = z.infer<typeof SlackMessage>;

/** Milliseconds since the epoch of a Slack ts, exactly (no floating point). */
export function tsMillis(ts: string): number {
  const [seconds = "0", fraction = ""] = ts.split(".");
  return Number(seconds) * 1000 + Number(fraction.padEnd(6, "0").slice(0, 3));
}

/** Orders Slack ts values as times (they are not all the same length). */
export function compareTs(a: string, b: string): number {
  const [as = "0", af = ""] = a.split(".");
  const [bs = "0", bf = ""] = b.split(".");
  const seconds = Number(as) - Number(bs);
  return seconds !== 0 ? seconds : Number(af.padEnd(6, "0")) - Number(bf.padEnd(6, "0"));
}
