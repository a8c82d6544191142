"""The URLs of things on the site, and the variant URLs that serve the same article."""

from __future__ import annotations

import random
import re

from replica.model import Post, Section
from replica.slugs import utf8_uri_encode

UTM_QUERY = "?utm_source=facebook"
_PERCENT_OCTET = re.compile(r"%[0-9a-f]{2}")
# How a link on some page may spell an article's URL (weights): WordPress serves them all.
LINK_VARIANTS = (
    ("canonical", 0.80), ("upper-hex", 0.06), ("utm", 0.05), ("no-slash", 0.03), ("amp-query", 0.02),
    ("amp-path", 0.02), ("shortlink", 0.02),
)


def upper_hex(path: str) -> str:
    """The same path with upper-case percent-encoding, as copies elsewhere write it."""
    return _PERCENT_OCTET.sub(lambda match: match.group(0).upper(), path)


def article_variant(base: str, post: Post, variant: str) -> str:
    """The URL of `post` spelled as `variant` (one of `ALIAS_VARIANTS` in truth.py)."""
    canonical = base + post.path
    if variant == "canonical":
        return canonical
    if variant == "https":
        return canonical.replace("http://", "https://", 1)
    if variant == "upper-hex":
        return base + upper_hex(post.path)
    if variant == "utm":
        return canonical + UTM_QUERY
    if variant == "no-slash":
        return canonical.rstrip("/")
    if variant == "amp-query":
        return canonical + "?amp=1"
    if variant == "amp-path":
        return canonical + "amp/"
    if variant == "shortlink":
        return f"{base}/?p={post.id}"
    raise ValueError(f"unknown URL variant {variant!r}")


def some_article_url(base: str, post: Post, rng: random.Random) -> str:
    """The URL one link on a page uses for `post`: mostly canonical, sometimes a variant."""
    variant = rng.choices([v for v, _ in LINK_VARIANTS], weights=[w for _, w in LINK_VARIANTS])[0]
    return article_variant(base, post, variant)


def section_path(section: Section, page: int = 1) -> str:
    path = f"/category/{section.encoded_slug}/"
    return path if page == 1 else f"{path}page/{page}/"


def paged(path: str, page: int) -> str:
    return path if page == 1 else f"{path}page/{page}/"


def print_path(post: Post) -> str:
    return f"/print/{post.id}/"


def image_url(base: str, src: str) -> str:
    return base + src


def utf8_slug(slug: str) -> str:
    """A term slug (tag, category) as it appears in URLs: percent-encoded, lower-case hex."""
    return utf8_uri_encode(slug)
