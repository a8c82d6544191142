"""The items the spider yields, as dataclasses used through itemadapter.

An `Article` is one fetched article page, as extracted: text fields are cleaned by the clean
pipeline, identity and duplicates are decided by the dedupe pipeline, rows are written by the
store pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class Image:
    """An image of an article: the featured image first, then images in the body."""

    src: str
    alt: str | None = None
    caption: str | None = None


@dataclass
class RelatedLink:
    """A link from an article's related-news block («أخبار متعلقة») to another article."""

    url: str
    anchor: str | None = None


@dataclass
class Article:
    """One article page as extracted from its HTML.

    `provenance` maps a field name to the source that produced it (``"json-ld"``, ``"meta"``,
    ``"markup"``, ``"date-line"``, ``"url"``, ``"profile"`` …), so a reader of the data can tell how
    far to trust each value and a theme change shows up as a shift in sources.
    """

    url: str
    canonical_url: str | None = None
    shortlink_id: int | None = None
    title: str | None = None
    teaser: str | None = None
    body: str | None = None
    images: list[Image] = field(default_factory=list)
    published_at: datetime | None = None
    modified_at: datetime | None = None
    section: str | None = None
    tags: list[str] = field(default_factory=list)
    author: str | None = None
    lang: str | None = None
    related: list[RelatedLink] = field(default_factory=list)
    fetched_at: datetime | None = None
    status: int | None = None
    html: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    provenance: dict[str, str] = field(default_factory=dict)


@dataclass
class PageStatus:
    """A known article's page that answered without content: 304 (not modified) or 404/410 (gone).

    The store pipeline moves the article's `last_seen` (304) or marks it gone (404/410); nothing else changes.
    """

    url: str
    status: int
    fetched_at: datetime


@dataclass
class SitemapListing:
    """Every article URL the site's sitemaps list, each with its `lastmod` (as written, or None).

    Yielded once a run has read all the post sitemaps, and stored in place of the previous listing, so the
    next run can tell which known articles changed (another lastmod) and which left the sitemap (to be
    checked for deletion) without fetching them.
    """

    sitemap_url: str
    entries: dict[str, str | None]
    fetched_at: datetime


@dataclass
class FetchFailure:
    """A request that failed for good this run (after its retries), and why ("http_500", "TimeoutError" …).

    The store pipeline records it in `failures` (attempts counted per run); the next run requests it again.
    """

    url: str
    reason: str
    failed_at: datetime


@dataclass
class FetchRecovered:
    """A URL `failures` held that answered this run: the store pipeline takes it out of `failures`."""

    url: str
