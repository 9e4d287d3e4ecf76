/**
 * How search reads text: the same on the way into the index and on the way in from a query, so a
 * query finds exactly what indexing wrote.
 *
 * Each grapheme (a character with the marks that follow it) is normalised on its own (NFKC, then lower case), so full-width ＡＢＣ, half-width
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
/**
 * What joins the character before it into one grapheme for our purposes: combining marks,
 * half-width (semi-)voiced sound marks (U+FF9E, U+FF9F), joiners and variation selectors.
 */
const EXTENDER = /^(?:\p{M}|\u{FF9E}|\u{FF9F}|\u{200C}|\u{200D}|[\u{FE00}-\u{FE0F}])$/u;

/** Longest word kept whole in the index; longer words are cut there (candidates are checked afterwards). */
export const MAX_TOKEN_LENGTH = 48;

const SEPARATOR = 0;
const WORD_CHAR = 1;
const CJK_CHAR = 2;
type CharClass = typeof SEPARATOR | typeof WORD_CHAR | typeof CJK_CHAR;

/** Caches for non-ASCII text (the same kanji and kana come back all the time); bounded, then reset. */
const CACHE_LIMIT = 20_000;
const normalForms = new Map<string, string>();
const classes = new Map<string, CharClass>();

function normalForm(cluster: string): string {
  let normal = normalForms.get(cluster);
  if (normal === undefined) {
    if (normalForms.size >= CACHE_LIMIT) normalForms.clear();
    normal = cluster.normalize("NFKC").toLowerCase();
    normalForms.set(cluster, normal);
  }
  return normal;
}

function classOf(char: string): CharClass {
  const code = char.charCodeAt(0);
  if (code < 0x80) {
    return (code >= 97 && code <= 122) ||
      (code >= 48 && code <= 57) ||
      code === 95 ||
      (code >= 65 && code <= 90)
      ? WORD_CHAR
      : SEPARATOR;
  }
  let found = classes.get(char);
  if (found === undefined) {
    if (classes.size >= CACHE_LIMIT) classes.clear();
    found = CJK.test(char) ? CJK_CHAR : WORD.test(char) ? WORD_CHAR : SEPARATOR;
    classes.set(char, found);
  }
  return found;
}

/** Splits text into search units (see the module comment). */
export function textUnits(text: string): TextUnit[] {
  const units: TextUnit[] = [];
  let word: TextUnit | undefined;
  let previousCjk = false;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const start = i;
    const code = text.charCodeAt(i);
    i += code >= 0xd800 && code <= 0xdbff && i + 1 < n ? 2 : 1;
    // Marks and the like belong to the character before them (one grapheme, one range).
    while (i < n && text.charCodeAt(i) >= 0x300) {
      const next = String.fromCodePoint(text.codePointAt(i) as number);
      if (!EXTENDER.test(next)) break;
      i += next.length;
    }
    const end = i;
    const normal =
      end - start === 1 && code < 0x80
        ? code >= 65 && code <= 90
          ? String.fromCharCode(code + 32)
          : (text[start] as string)
        : normalForm(text.slice(start, end));
    // A grapheme can normalise to several characters (㍿ → 株式会社): each is read in turn, all
    // with the grapheme's range.
    for (const char of normal) {
      const kind = classOf(char);
      if (kind === CJK_CHAR) {
        word = undefined;
        units.push({ text: char, cjk: true, joined: previousCjk, start, end });
        previousCjk = true;
      } else if (kind === WORD_CHAR) {
        if (word) {
          word.text += char;
          word.end = end;
        } else {
          word = { text: char, cjk: false, joined: false, start, end };
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
