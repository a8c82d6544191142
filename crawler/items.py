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
