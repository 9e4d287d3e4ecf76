/**
 * One Japanese + English (+ a little Chinese and Korean) corpus with the hits each query must
 * find, shared by the search tests on every database. Messages are sent in this order, so a
 * later one is newer.
 */
export interface CorpusMessage {
  label: string;
  room: "general" | "tokyo";
  author: "aiko" | "ben";
  body: string;
}

export const SEARCH_CORPUS: readonly CorpusMessage[] = [
  { label: "ja-meeting", room: "general", author: "aiko", body: "明日の会議は10時からです" },
  { label: "ja-room", room: "tokyo", author: "aiko", body: "東京オフィスの会議室を予約しました" },
  { label: "ja-kyoto", room: "tokyo", author: "aiko", body: "京都への出張は来週です" },
  { label: "ja-tokyo-to", room: "general", author: "aiko", body: "東京都の天気は晴れ" },
  { label: "ja-fullwidth", room: "general", author: "aiko", body: "ＡＢＣ株式会社との打ち合わせ" },
  { label: "ja-halfwidth", room: "general", author: "aiko", body: "ｶﾞｲﾄﾞを読んでください" },
  { label: "ja-spaced", room: "general", author: "aiko", body: "東 京 と書くと別の言葉" },
  { label: "en-notes", room: "general", author: "ben", body: "The release notes are ready for review" },
  { label: "en-before", room: "general", author: "aiko", body: "Please review the notes before the release" },
  { label: "en-deploy", room: "tokyo", author: "ben", body: "Deploy to Tokyo region tomorrow" },
  {
    label: "en-script",
    room: "general",
    author: "aiko",
    body: "Agenda moved, see <b>this</b> <script>alert(1)</script>",
  },
  {
    label: "en-deployment",
    room: "general",
    author: "aiko",
    body: "DEPLOY finished; deployment log attached",
  },
  { label: "mixed", room: "general", author: "aiko", body: "Zoom会議のURLを送ります" },
  { label: "ko", room: "general", author: "ben", body: "회의는 내일입니다" },
  { label: "zh", room: "general", author: "ben", body: "我们明天开会" },
  {
    label: "en-review-twice",
    room: "general",
    author: "aiko",
    body: "Review: please review the launch plan",
  },
];

export interface CorpusQuery {
  q: string;
  /** Labels of the messages found, in the order expected when `ordered`, else as a set. */
  hits: string[];
  ordered?: boolean;
}

/** Queries over the whole corpus, by Aiko, who may read both rooms. */
export const CORPUS_QUERIES: readonly CorpusQuery[] = [
  { q: "会議", hits: ["ja-meeting", "ja-room", "mixed"] },
  { q: "東京", hits: ["ja-room", "ja-tokyo-to"] },
  { q: "京都", hits: ["ja-kyoto", "ja-tokyo-to"] },
  { q: "東京都", hits: ["ja-tokyo-to"] },
  { q: "会議 東京", hits: ["ja-room"] },
  { q: "会", hits: ["ja-meeting", "ja-room", "ja-fullwidth", "mixed", "zh"] },
  { q: "abc", hits: ["ja-fullwidth"] },
  { q: "ＡＢＣ", hits: ["ja-fullwidth"] },
  { q: "ガイド", hits: ["ja-halfwidth"] },
  { q: "ｶﾞｲﾄﾞ", hits: ["ja-halfwidth"] },
  { q: "release", hits: ["en-before", "en-notes"], ordered: true },
  { q: '"release notes"', hits: ["en-notes"] },
  { q: "release notes", hits: ["en-notes", "en-before"] },
  { q: "REVIEW", hits: ["en-review-twice", "en-before", "en-notes"], ordered: true },
  { q: "deploy", hits: ["en-deploy", "en-deployment"] },
  { q: "zoom", hits: ["mixed"] },
  { q: "url", hits: ["mixed"] },
  { q: "회의", hits: ["ko"] },
  { q: "明天", hits: ["zh"] },
  { q: "大阪", hits: [] },
  { q: "from:ben", hits: ["zh", "ko", "en-deploy", "en-notes"], ordered: true },
  { q: "from:Ben deploy", hits: ["en-deploy"] },
  { q: "from:me 会議", hits: ["ja-meeting", "ja-room", "mixed"] },
  { q: "in:tokyo-office 会議", hits: ["ja-room"] },
  { q: "in:#tokyo-office", hits: ["en-deploy", "ja-kyoto", "ja-room"], ordered: true },
  { q: "script", hits: ["en-script"] },
];
