/**
 * A synthetic Japanese + English corpus for the search benchmark, made from a seed so every run
 * searches the same data. Each message comes with the index tokens Parley makes of it (decision
 * 0039): the bench writes the postings itself, as it writes the messages, instead of sending a
 * million messages through the server. The words are chosen so the tokens are plain to derive
 * (lower-case ASCII words; one run of kanji and kana per Japanese line); the bench checks after
 * seeding that Parley's searches find exactly the expected counts, so a drift between this copy
 * and Parley's analyser fails the run instead of going unnoticed.
 */

/** mulberry32: small, fast, good enough to make test data repeatable. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SYLLABLES = [
  "ka",
  "ro",
  "mi",
  "tel",
  "san",
  "vo",
  "lu",
  "dex",
  "pra",
  "gon",
  "shi",
  "tu",
  "ber",
  "qua",
  "nel",
  "zo",
];

/** 5,000 distinct lower-case words; rank 0 is the most frequent (Zipf, s = 1). */
export const ENGLISH_WORDS: readonly string[] = (() => {
  const words: string[] = [];
  for (let i = 0; words.length < 5000; i++) {
    let n = i;
    let word = "";
    do {
      word += SYLLABLES[n % SYLLABLES.length];
      n = Math.floor(n / SYLLABLES.length);
    } while (n > 0);
    words.push(word);
  }
  return words;
})();

/** Japanese words, most frequent first (Zipf over this order). */
export const JAPANESE_WORDS: readonly string[] = [
  "会議",
  "確認",
  "資料",
  "共有",
  "予定",
  "明日",
  "対応",
  "報告",
  "東京",
  "連絡",
  "修正",
  "開発",
  "担当",
  "進捗",
  "設計",
  "大阪",
  "品質",
  "顧客",
  "出張",
  "予約",
  "議事録",
  "打ち合わせ",
  "見積もり",
  "請求書",
  "契約",
  "障害",
  "復旧",
  "検証",
  "本番",
  "環境",
  "移行",
  "手順",
  "承認",
  "申請",
  "締め切り",
  "来週",
  "先週",
  "午後",
  "午前",
  "会議室",
  "京都",
  "名古屋",
  "福岡",
  "札幌",
  "横浜",
  "神戸",
  "新宿",
  "渋谷",
  "品川",
  "池袋",
  "勉強会",
  "懇親会",
  "面接",
  "採用",
  "研修",
  "評価",
  "目標",
  "予算",
  "経費",
  "精算",
  "仕様",
  "要件",
  "課題",
  "優先度",
  "期限",
  "遅延",
  "調整",
  "日程",
  "候補",
  "決定",
];

const PARTICLES = ["の", "は", "を", "に", "と", "で", "が", "も"];
const ENDINGS = ["です", "します", "しました", "お願いします", "ください"];

function zipfSampler(size: number, random: () => number): () => number {
  const cumulative: number[] = [];
  let total = 0;
  for (let rank = 1; rank <= size; rank++) {
    total += 1 / rank;
    cumulative.push(total);
  }
  return () => {
    const target = random() * total;
    let low = 0;
    let high = size - 1;
    while (low < high) {
      const mid = (low + high) >> 1;
      if ((cumulative[mid] as number) < target) low = mid + 1;
      else high = mid;
    }
    return low;
  };
}

export interface CorpusMessage {
  body: string;
  /** Index tokens, as Parley's analyser makes them of `body`. */
  tokens: string[];
  /** Lower-case words (English) or the one CJK run (Japanese), to count expected hits. */
  words: readonly string[];
  run: string | undefined;
}

/** CJK bigrams of a run plus its last character (decision 0039). */
function runTokens(run: string): string[] {
  const chars = [...run];
  const tokens = new Set<string>();
  for (let i = 0; i + 1 < chars.length; i++) tokens.add(`${chars[i]}${chars[i + 1]}`);
  const last = chars.at(-1);
  if (last) tokens.add(last);
  return [...tokens];
}

/** Makes messages one by one: half English (5–12 words), half Japanese (one sentence, 2–4 words). */
export function corpusMaker(seed: number): () => CorpusMessage {
  const random = seededRandom(seed);
  const english = zipfSampler(ENGLISH_WORDS.length, random);
  const japanese = zipfSampler(JAPANESE_WORDS.length, random);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)] as T;
  return () => {
    if (random() < 0.5) {
      const count = 5 + Math.floor(random() * 8);
      const words = Array.from({ length: count }, () => ENGLISH_WORDS[english()] as string);
      return { body: `${words.join(" ")}.`, tokens: [...new Set(words)], words, run: undefined };
    }
    const count = 2 + Math.floor(random() * 3);
    let run = "";
    for (let i = 0; i < count; i++) {
      run += JAPANESE_WORDS[japanese()];
      run += i < count - 1 ? pick(PARTICLES) : pick(ENDINGS);
    }
    return { body: `${run}。`, tokens: runTokens(run), words: [], run };
  };
}
