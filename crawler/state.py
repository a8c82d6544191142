"""What the database already knows, read once when a run starts, so the run fetches only what is new or changed.

State lives in the SQLite file and nowhere else (no JOBDIR): a run killed at any point leaves a database
the next run reads as it is, and whatever the killed run did not commit is simply not known yet.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from crawler.runs import last_run_completed
from sqlite_utils import Database


@dataclass(frozen=True)
class KnownArticle:
    """An article the database holds, as far as deciding whether to fetch it again needs."""

    article_id: int
    published_at: datetime | None
    etag: str | None
    last_modified: str | None


@dataclass
class CrawlState:
    """Known article URLs (every alias), the sitemap as last read, and whether the last run completed."""

    articles: dict[str, KnownArticle] = field(default_factory=dict)
    sitemap: dict[str, str | None] = field(default_factory=dict)
    last_run_completed: bool = True

    @classmethod
    def load(cls, db_path: str | Path) -> CrawlState:
        """Read the state from NEWS_DB (read-only); an absent or empty database knows nothing."""
        path = Path(db_path)
        if not path.exists():
            return cls()
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
        try:
            db = Database(connection)
            if not db["url_aliases"].exists():
                return cls()
            return cls(articles=_known_articles(db), sitemap=_sitemap(db),
                       last_run_completed=last_run_completed(db))
        finally:
            connection.close()

    def known(self, url: str) -> KnownArticle | None:
        return self.articles.get(url)

    def changed_in_sitemap(self, url: str, lastmod: str | None) -> bool:
        """True when the sitemap's lastmod for a known URL differs from the one last read (or is new)."""
        return lastmod is not None and self.sitemap.get(url, "") != lastmod

    def left_sitemap(self, listed_now: set[str]) -> list[str]:
        """URLs the sitemap listed last time and no longer lists: deleted, perhaps, so worth one request."""
        return sorted(url for url in self.sitemap if url not in listed_now)

    @staticmethod
    def is_recent(article: KnownArticle, now: datetime, window_days: float) -> bool:
        """Published within `window_days` before `now`: young articles still change, so they are re-checked."""
        return article.published_at is not None and now - article.published_at <= timedelta(days=window_days)


def _known_articles(db: Database) -> dict[str, KnownArticle]:
    rows = db.execute(
        "SELECT url_aliases.url, articles.id, articles.published_at, pages.etag, pages.last_modified "
        "FROM url_aliases JOIN articles ON articles.id = url_aliases.article_id "
        "LEFT JOIN pages ON pages.url = articles.url"
    )
    known = {}
    for url, article_id, published_at, etag, last_modified in rows:
        known[url] = KnownArticle(article_id, datetime.fromisoformat(published_at) if published_at else None, etag,
                                  last_modified)
    return known


def _sitemap(db: Database) -> dict[str, str | None]:
    if not db["sitemap_urls"].exists():
        return {}
    return dict(db.execute("SELECT url, lastmod FROM sitemap_urls"))
