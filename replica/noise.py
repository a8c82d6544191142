"""The noise real pages carry and the truth does not: what a crawler's text cleaning must undo.

Applied at render time only, deterministically from a per-page RNG: tatweel inside words,
zero-width and bidi marks (U+200B, U+200E, U+200F, U+FEFF), doubled spaces and no-break spaces,
a space before «،» and «.», the lam-alef presentation form (U+FEFB) and numeric HTML entities.
Every change is undone by: decode entities, NFKC on presentation forms, drop invisible marks and
tatweel, collapse whitespace, drop a space before ، ؛ ؟ . — the cleaning the truth assumes.
"""

from __future__ import annotations

import html
import random

TATWEEL = "\u0640"
LAM_ALEF = "\ufefb"
ZERO_WIDTH_SPACE = "\u200b"
LEFT_TO_RIGHT_MARK = "\u200e"
RIGHT_TO_LEFT_MARK = "\u200f"
BYTE_ORDER_MARK = "\ufeff"
NON_JOINING_LETTERS = set("اأإآدذرزوؤةء")  # tatweel only ever follows a letter that joins to the left


def _is_arabic_letter(character: str) -> bool:
    return "\u0621" <= character <= "\u064a"


def _inner_letters(word: str) -> list[int]:
    """Positions inside `word` between two Arabic letters, where a mark can hide."""
    return [i for i in range(1, len(word) - 1) if _is_arabic_letter(word[i]) and _is_arabic_letter(word[i - 1])]


def _noisy_word(word: str, rng: random.Random) -> str:
    """One word with at most one invisible or typographic change, HTML-escaped."""
    roll = rng.random()
    letters = _inner_letters(word) if roll < 0.09 else []
    joining = [i for i in letters if word[i - 1] not in NON_JOINING_LETTERS]
    if roll < 0.03 and joining:
        cut = rng.choice(joining)
        return html.escape(word[:cut] + TATWEEL + word[cut:], quote=False)
    if roll < 0.045 and letters:
        cut = rng.choice(letters)
        return html.escape(word[:cut] + ZERO_WIDTH_SPACE + word[cut:], quote=False)
    if roll < 0.06:
        return html.escape(word, quote=False) + RIGHT_TO_LEFT_MARK
    if roll < 0.075 and "لا" in word and word.index("لا") + 2 < len(word) and _is_arabic_letter(word[word.index("لا") + 2]):
        return html.escape(word.replace("لا", LAM_ALEF, 1), quote=False)
    if roll < 0.09 and letters:
        cut = rng.choice(letters)
        return html.escape(word[:cut], quote=False) + f"&#{ord(word[cut])};" + html.escape(word[cut + 1 :], quote=False)
    if roll < 0.14 and len(word) > 1 and word[-1] in "،." and word[-2] not in "،.":
        return html.escape(word[:-1], quote=False) + " " + word[-1]
    if roll < 0.16 and any(c.isdigit() for c in word):
        return LEFT_TO_RIGHT_MARK + html.escape(word, quote=False) + LEFT_TO_RIGHT_MARK
    return html.escape(word, quote=False)


def noisy_text(text: str, rng: random.Random, intensity: float = 1.0) -> str:
    """`text` as an HTML fragment with the site's noise; `intensity` 0 gives plain escaped text."""
    if intensity <= 0:
        return html.escape(text, quote=False)
    pieces: list[str] = []
    for word in text.split(" "):
        pieces.append(_noisy_word(word, rng) if rng.random() < intensity else html.escape(word, quote=False))
        gap = rng.random()
        pieces.append("  " if gap < 0.03 else "&nbsp;" if gap < 0.04 else " ")
    fragment = "".join(pieces[:-1])
    if rng.random() < 0.05 * intensity:
        fragment = BYTE_ORDER_MARK + fragment
    return fragment
