"""WordPress permalink slugs, as `sanitize_title()` writes them for a post saved in the admin.

The replica has its own copy of the algorithm (it must not share code with the crawler it tests).
It follows `sanitize_title_with_dashes()` with the 'save' context: lower-case the title, percent-encode
non-ASCII characters with lower-case hex, stopping *before* the character that would push the encoded
text past 200 characters (so long Arabic titles end mid-word), drop curly quotes and similar
typography, turn spaces into hyphens and trim hyphens at both ends.
"""

from __future__ import annotations

import functools
import re
from urllib.parse import unquote

SLUG_MAX_ENCODED_LENGTH = 200

# Octets WordPress strips in the 'save' context (quotes, guillemets, ellipsis, accents, marks …).
_STRIPPED_OCTETS = (
    "%c2%a1", "%c2%bf", "%c2%ab", "%c2%bb", "%e2%80%b9", "%e2%80%ba", "%e2%80%98", "%e2%80%99",
    "%e2%80%9c", "%e2%80%9d", "%e2%80%9a", "%e2%80%9b", "%e2%80%9e", "%e2%80%9f", "%e2%80%a2",
    "%c2%a9", "%c2%ae", "%c2%b0", "%e2%80%a6", "%e2%84%a2", "%c2%b4", "%cb%8a", "%cc%81", "%cd%81",
    "%cc%80", "%cc%84", "%cc%8c", "%e2%80%8b", "%e2%80%8c", "%e2%80%8d", "%e2%80%8e", "%e2%80%8f",
    "%ef%bb%bf",
)
_DASH_OCTETS = ("%c2%a0", "%e2%80%93", "%e2%80%94", "%c2%ad")
_TAG = re.compile(r"<[^>]*>")
_ENTITY = re.compile(r"&.+?;")
_NOT_SLUG_CHARACTER = re.compile(r"[^%a-z0-9 _-]")
_WHITESPACE = re.compile(r"\s+")
_HYPHENS = re.compile(r"-+")


def utf8_uri_encode(text: str, max_length: int = 0) -> str:
    """Percent-encode the non-ASCII characters of `text` (lower-case hex), as WordPress does.

    With `max_length`, stop before the first character whose encoding would make the result
    longer than `max_length`: the cut always falls on a character boundary.
    """
    encoded: list[str] = []
    length = 0
    for character in text:
        piece = _encode_character(character)
        if max_length and length + len(piece) > max_length:
            break
        encoded.append(piece)
        length += len(piece)
    return "".join(encoded)


@functools.lru_cache(maxsize=4096)
def _encode_character(character: str) -> str:
    if ord(character) < 128:
        return character
    return "".join(f"%{octet:02x}" for octet in character.encode("utf-8"))


def sanitize_title(title: str) -> str:
    """The encoded slug WordPress derives from `title` (lower-case hex, at most 200 characters)."""
    slug = _TAG.sub("", title)
    slug = utf8_uri_encode(slug.lower(), SLUG_MAX_ENCODED_LENGTH).lower()
    for octet in _DASH_OCTETS:
        slug = slug.replace(octet, "-")
    for octet in _STRIPPED_OCTETS:
        slug = slug.replace(octet, "")
    slug = slug.replace("/", "-").replace("%c3%97", "x")
    slug = _ENTITY.sub("", slug)
    slug = slug.replace(".", "-")
    slug = _NOT_SLUG_CHARACTER.sub("", slug)
    slug = _WHITESPACE.sub("-", slug)
    slug = _HYPHENS.sub("-", slug)
    return slug.strip("-")


def truncate_encoded(slug: str, max_length: int) -> str:
    """Cut an encoded slug to `max_length` characters without splitting a percent-encoded character."""
    return utf8_uri_encode(unquote(slug), max_length).rstrip("-")


class SlugRegistry:
    """The slugs already used on the site; hands out `slug`, `slug-2`, `slug-3` … as
    `wp_unique_post_slug()` does when a slug is taken."""

    def __init__(self) -> None:
        self._taken: set[str] = set()
        self._next_suffix: dict[str, int] = {}

    def claim(self, slug: str) -> str:
        candidate = slug
        suffix = self._next_suffix.get(slug, 2)
        while candidate in self._taken:
            ending = f"-{suffix}"
            candidate = truncate_encoded(slug, SLUG_MAX_ENCODED_LENGTH - len(ending)) + ending
            suffix += 1
        self._next_suffix[slug] = suffix
        self._taken.add(candidate)
        return candidate
