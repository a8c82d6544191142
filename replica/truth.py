"""Ground truth: what a perfect crawler would store for each distinct article of a site.

One dict per distinct article (exact re-posts are aliases of their original, not articles).
See README.md for every field; `date_sources` and `date_precision` say which date sources the page
exposes, so a test knows the finest precision a crawler can reach.
"""

from __future__ import annotations

from replica import datelines, links
from replica.model import Post, Site
from replica.themes import THEMES

ALIAS_VARIANTS = ("https", "utm", "amp-query", "amp-path", "upper-hex", "no-slash", "shortlink")
MACHINE_READABLE = ("json-ld", "meta", "time")


def date_sources(post: Post, theme: str) -> tuple[str, ...]:
    """Where the page shows its date: the post's sources, or only the URL in the undated theme."""
    return ("url",) if theme == "undated" else post.date_sources


def date_precision(post: Post, theme: str) -> str:
    """"minute" if the page exposes the time of publication anywhere, else "day" (date only)."""
    if any(source in date_sources(post, theme) for source in MACHINE_READABLE):
        return "minute"
    if theme == "magazine" and "date-line" in post.date_sources:
        return "minute"
    return "day"


def article_truth(site: Site, post: Post, base: str, theme: str = "classic") -> dict:
    """The truth record of one distinct (non-repost) post."""
    if theme not in THEMES:
        raise ValueError(f"unknown theme {theme!r}")
    text = site.article(post.id)
    reposts = site.reposts_of.get(post.id, [])
    aliases = [links.article_variant(base, post, variant) for variant in ALIAS_VARIANTS]
    aliases += [f"{base}{post.path}?replytocom={comment_id}" for comment_id, _, _ in text.comments]
    aliases += [base + repost.path for repost in reposts]
    canonical = base + post.path
    aliases = [alias for alias in dict.fromkeys(aliases) if alias != canonical]  # ASCII slugs have no upper-hex form
    images = [
        {"src": links.image_url(base, image.src), "alt": image.alt, "caption": image.caption}
        for image in text.images
    ]
    return {
        "id": post.id,
        "story_id": post.story_id,
        "url": canonical,
        "aliases": aliases,
        "title": post.title,
        "teaser": text.teaser,
        "published_at": datelines.iso(post.published),
        "modified_at": datelines.iso(post.modified),
        "section": post.section.name,
        "author": post.author[0] if post.author else None,
        "tags": [name for name, _ in post.tags],
        "captions": [image.caption for image in text.images if image.caption],
        "images": images,
        "body": "\n\n".join(text.paragraphs),
        "lang": post.lang,
        "duplicate_of": post.source_id if post.kind == "near-duplicate" else None,
        "related": list(text.related),
        "reachable_only_via_related": post.hidden,
        "linked_from_related_of": site.related_hosts.get(post.id, []),
        "status": "deleted" if post.deleted else "live",
        "date_sources": list(date_sources(post, theme)),
        "date_precision": date_precision(post, theme),
        "epoch_added": post.epoch_added,
        "edited": post.edited and site.epoch >= 1,
    }


def site_truth(site: Site, base: str, theme: str = "classic") -> list[dict]:
    """The truth of every distinct article, oldest first."""
    base = base.rstrip("/")
    return [article_truth(site, post, base, theme) for post in site.posts if post.kind != "repost"]
