"""Arabic text as we store it (`clean`) and as we compare it (`normalize`).

`clean` keeps the text as the site wrote it and removes only what a reader cannot see or what is
an encoding accident: presentation-form ligatures, invisible controls, tatweel, whitespace runs.
`normalize` folds the spelling variants Arabic writers use interchangeably (hamza on alef, alef
maqsura, teh marbuta, harakat, digit scripts, letter case), so that dedup keys and the search
index agree on what "the same word" is. SQLite's FTS5 `unicode61` tokenizer folds none of these
and splits vocalised words at each haraka, so both the indexed text and the query go through
`normalize` before they reach it.

The folding follows Lucene's `ArabicNormalizer` (alef forms, alef maqsura, teh marbuta,
tatweel, harakat) plus the extras Syrian and Persian-keyboard text needs (ٱ, Persian ی ک, Quranic
marks, digits). Like Lucene, it leaves hamza on waw and yeh (ؤ ئ) alone: they are distinct
spellings (مسؤول / مسئول are both common, but folding ئ to ي would also merge سئل with سيل, and
ؤ to و would merge رؤى with روى), and a search that misses one spelling is better than one that
matches unrelated words.
"""

from __future__ import annotations

import functools
import re
import unicodedata

import regex

# Invisible characters that carry no text: zero-width space/joiners and LRM/RLM, bidi embeddings
# and isolates, the Arabic letter mark, the byte-order mark, the soft hyphen, and tatweel (the
# kashida that only stretches a word on screen).
_INVISIBLE = (
    [*range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
    + [0x061C, 0xFEFF, 0x00AD, 0x0640]
)
# C0/C1 control characters other than the whitespace ones: encoding debris, never text.
_CONTROLS = [c for c in [*range(0x00, 0x20), *range(0x7F, 0xA0)] if not chr(c).isspace()]

# Arabic presentation forms A and B: shaped glyphs (lam-alef ligatures, ﷲ, isolated harakat…)
# that should have been stored as the letters they draw.
_PRESENTATION_FORMS = [*range(0xFB50, 0xFE00), *range(0xFE70, 0xFEFF)]


def _letters_of_presentation_form(char: str) -> str:
    """The letters a presentation form stands for (its NFKC form).

    The isolated harakat (U+FE70…) decompose to a space plus the mark; the space is only there
    to carry the mark on its own, so it is dropped and the mark joins the preceding letter. The
    medial ones decompose to tatweel plus the mark, and tatweel goes as everywhere else.
    """
    letters = unicodedata.normalize("NFKC", char).replace("\u0640", "")
    if len(letters) > 1 and letters[0] == " ":
        return letters[1:]
    return letters


_CLEAN_TABLE = {
    **dict.fromkeys(_INVISIBLE + _CONTROLS),
    **{
        code: _letters_of_presentation_form(chr(code))
        for code in _PRESENTATION_FORMS
        if unicodedata.decomposition(chr(code)).startswith("<")
    },
}

# Most text has nothing to translate; finding that out is much cheaper than a translate() pass.
_CLEANABLE = re.compile("[" + "".join(re.escape(chr(code)) for code in _CLEAN_TABLE) + "]")
_SPACE_RUN = re.compile(r"[^\S\n]+")
_LINE_BREAK = re.compile(r"\s*\n\s*")
_SPACE_BEFORE_PUNCTUATION = re.compile(r" +(?=[،؛؟.,;?!])")


def clean(text: str) -> str:
    """The text as we store and show it.

    - presentation forms become the letters they draw (ﻻ → لا, ﷲ → الله);
    - invisible characters (zero-width, bidi controls, BOM, soft hyphen, control codes) and
      tatweel are removed;
    - the result is in Unicode NFC, so the same word is always the same code points;
    - spaces and tabs collapse to one space, a line break with blank lines around it to one
      paragraph break (``\\n\\n``), other line breaks to ``\\n``; lines are trimmed;
    - spaces before ، ؛ ؟ . , ; ? ! are removed («قال ، » → «قال، »).

    Letters, harakat, hamza forms, digits and quotes stay as written. Idempotent.
    """
    if _CLEANABLE.search(text):
        text = text.translate(_CLEAN_TABLE)
    text = unicodedata.normalize("NFC", text)
    text = _LINE_BREAK.sub(lambda m: "\n\n" if m.group().count("\n") > 1 else "\n", text)
    text = _SPACE_RUN.sub(" ", text)
    text = _SPACE_BEFORE_PUNCTUATION.sub("", text)
    return text.strip()


_HARAKAT = [*range(0x064B, 0x0660), 0x0670, *range(0x06D6, 0x06EE)]
_HARAKAT_TABLE = dict.fromkeys(_HARAKAT)
_DIGITS = {
    **{0x0660 + value: str(value) for value in range(10)},  # Arabic-Indic ٠…٩
    **{0x06F0 + value: str(value) for value in range(10)},  # Persian ۰…۹
}
_FOLD_TABLE = {
    **_HARAKAT_TABLE,
    **_DIGITS,
    **{ord(alef): "ا" for alef in "آأإٱ"},
    ord("ى"): "ي",
    ord("ة"): "ه",
    ord("ی"): "ي",  # Persian yeh
    ord("ک"): "ك",  # Persian keheh
}
_PUNCTUATION_OR_SYMBOL = regex.compile(r"[\p{P}\p{S}]+")
_WHITESPACE = regex.compile(r"\s+")


def remove_harakat(text: str) -> str:
    """`text` without harakat (U+064B–065F, U+0670) and Quranic marks (U+06D6–06ED)."""
    return text.translate(_HARAKAT_TABLE)


def ascii_digits(text: str) -> str:
    """`text` with Arabic-Indic (٠…٩) and Persian (۰…۹) digits written as ASCII digits."""
    return text.translate(_DIGITS)


@functools.lru_cache(maxsize=256)  # dedupe and store fold the same body one after the other
def normalize(text: str) -> str:
    """The folded form of `text` for dedup keys and search (index and query alike).

    `clean`, then: harakat and Quranic marks removed; آ أ إ ٱ → ا; ى → ي; ة → ه; Persian ی ک →
    ي ك; Arabic-Indic and Persian digits → ASCII; lower case; punctuation and symbols (including
    « » “ ” ، ؛ ؟) → spaces; whitespace collapsed to single spaces, so the result is one line.
    ؤ and ئ are kept (see the module docstring). Idempotent, and ``normalize(clean(x)) ==
    normalize(x)``.
    """
    folded = clean(text).translate(_FOLD_TABLE).lower()
    folded = _PUNCTUATION_OR_SYMBOL.sub(" ", folded)
    # Lower-casing can leave a combining mark that NFC then joins to its letter (e.g. the dot of
    # İ), and a mark left by a removed symbol must not start the string.
    folded = unicodedata.normalize("NFC", folded)
    return _WHITESPACE.sub(" ", folded).strip()


_WORD = regex.compile(r"[\p{L}\p{M}\p{N}]+")
_LETTER = regex.compile(r"\p{L}")
_ARABIC_LETTER = regex.compile(r"(?=\p{Script=Arabic})\p{L}")


def word_count(text: str) -> int:
    """How many words `text` has: runs of letters, marks and digits in its cleaned form."""
    return len(_WORD.findall(clean(text)))


def arabic_share(text: str) -> float:
    """The share of Arabic letters among all letters of `text` (0.0 when it has no letters)."""
    letters = len(_LETTER.findall(text))
    return len(_ARABIC_LETTER.findall(text)) / letters if letters else 0.0


def is_arabic(text: str) -> bool:
    """Whether most letters of `text` are Arabic (an English post quoting an Arabic name is not)."""
    return arabic_share(text) > 0.5


def detect_lang(text: str) -> str:
    """``"ar"`` when `is_arabic(text)`, else ``"en"`` (the site's two languages)."""
    return "ar" if is_arabic(text) else "en"
