/**
 * How search reads text: the same on the way into the index and on the way in from a query, so a
 * query finds exactly what indexing wrote.
 *
 * Each grapheme is normalised on its own (NFKC, then lower case), so full-width ＡＢＣ, half-width
 * ｶﾞ (a grapheme with its voiced mark) and upper case all meet their usual forms, and every unit
 * keeps the range of the original text it came from (for highlights). A unit is one character of
 * a CJK script (Han, Hiragana, Katakana, Hangul), or one word: a run of any other letters, marks
 * and digits. Everything else (spaces, punctuation, symbols) separates units.
 */

export interface TextUnit {
  /** Normalised text of the unit: one CJK character, or a word. */
  text: string;
  cjk: boolean;
  /** A CJK unit that directly follows another CJK unit (no space or punctuation between). */
  joined: boolean;
  /** Range in the original string, UTF-16 offsets, end exclusive. */
  start: number;
  end: number;
}

const CJK = /[\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}\p{scx=Hangul}]/u;
const WORD = /[\p{L}\p{M}\p{N}_]/u;

const graphemes = new Intl.Segmenter("und", { granularity: "grapheme" });

/** Longest word kept whole in the index; longer words are cut there (candidates are checked afterwards). */
export const MAX_TOKEN_LENGTH = 48;

/** Splits text into search units (see the module comment). */
export function textUnits(text: string): TextUnit[] {
  const units: TextUnit[] = [];
  let word: TextUnit | undefined;
  let previousCjk = false;
  for (const { segment, index } of graphemes.segment(text)) {
    const end = index + segment.length;
    const normal = segment.normalize("NFKC").toLowerCase();
    // A grapheme can normalise to several characters (㍿ → 株式会社): each is read in turn, all
    // with the grapheme's range.
    for (const char of normal) {
      if (CJK.test(char)) {
        word = undefined;
        units.push({ text: char, cjk: true, joined: previousCjk, start: index, end });
        previousCjk = true;
      } else if (WORD.test(char)) {
        if (word) {
          word.text += char;
          word.end = end;
        } else {
          word = { text: char, cjk: false, joined: false, start: index, end };
          units.push(word);
        }
        previousCjk = false;
      } else {
        word = undefined;
        previousCjk = false;
      }
    }
  }
  return units;
}

/**
 * The index tokens of a text, each once: every word (cut to MAX_TOKEN_LENGTH), and for each run
 * of joined CJK characters every pair of neighbours (bigrams) plus the run's last character alone,
 * so every character starts at least one token (a one-character query looks for tokens starting
 * with it).
 */
export function indexTokens(units: readonly TextUnit[]): Set<string> {
  const tokens = new Set<string>();
  for (const [i, unit] of units.entries()) {
    if (!unit.cjk) {
      tokens.add(cut(unit.text));
      continue;
    }
    const next = units[i + 1];
    if (next?.cjk && next.joined) tokens.add(unit.text + next.text);
    else tokens.add(unit.text);
  }
  return tokens;
}

/** The index tokens of a message body. */
export function tokensOf(text: string): Set<string> {
  return indexTokens(textUnits(text));
}

/** A word cut to MAX_TOKEN_LENGTH code points (never inside a surrogate pair). */
function cut(word: string): string {
  return word.length <= MAX_TOKEN_LENGTH ? word : [...word].slice(0, MAX_TOKEN_LENGTH).join("");
}
