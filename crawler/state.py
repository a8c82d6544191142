"""What the database already knows, read once when a run starts, so the run fetches only what is new or changed.

State lives in the SQLite file and nowhere else (no JOBDIR): a run killed at any point leaves a database
the next run reads as it is, and whatever the killed run did not commit is simply not known yet.
"""

from __future__ import annotations

import math
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
    """Known article URLs (every alias), the sitemap as last read, whether the last run completed, and the
    URLs whose requests failed for good in earlier runs (`failures`), to be tried again."""

    articles: dict[str, KnownArticle] = field(default_factory=dict)
    sitemap: dict[str, str | None] = field(default_factory=dict)
    last_run_completed: bool = True
    unlisted_due: list[str] = field(default_factory=list)
    pending_related: list[str] = field(default_factory=list)
    failed: set[str] = field(default_factory=set)

    @classmethod
    def load(cls, db_path: str | Path, unlisted_share: float = 0.0) -> CrawlState:
        """Read the state from NEWS_DB (read-only); an absent or empty database knows nothing.

        `unlisted_share` of the known articles the sitemap does not list, those seen longest ago first,
        are due for a re-check: nothing else would ever tell that they changed. Related-news links whose
        target is not stored yet (a run stopped before fetching it) are pending: a known article's page
        is not fetched again, so its links would otherwise never be followed.
        """
        path = Path(db_path)
        if not path.exists():
            return cls()
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
        try:
            db = Database(connection)
            if not db["url_aliases"].exists():
                return cls()
            sitemap = _sitemap(db)
            return cls(articles=_known_articles(db), sitemap=sitemap, last_run_completed=last_run_completed(db),
                       unlisted_due=_unlisted_due(db, unlisted_share) if sitemap else [],
                       pending_related=_pending_related(db), failed=_failed(db))
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
    """Every URL an article was met under, except its own URL while its own page was never stored.

    A re-post naming the article as canonical can fill the row before the article's page is fetched
    (and a run can be killed then): that page is still to be fetched, so its URL does not count as known.
    """
    rows = db.execute(
        "SELECT url_aliases.url, articles.id, articles.published_at, pages.etag, pages.last_modified "
        "FROM url_aliases JOIN articles ON articles.id = url_aliases.article_id "
        "LEFT JOIN pages ON pages.url = articles.url "
        "WHERE NOT (url_aliases.url = articles.url AND pages.url IS NULL)"
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


def _unlisted_due(db: Database, share: float) -> list[str]:
    """The `share` of live known articles missing from the sitemap that were seen longest ago."""
    unlisted = "FROM articles WHERE gone_at IS NULL AND url NOT IN (SELECT url FROM sitemap_urls)"
    total = db.execute(f"SELECT count(*) {unlisted}").fetchone()[0]
    due = math.ceil(total * share)
    return [row[0] for row in db.execute(f"SELECT url {unlisted} ORDER BY last_seen, id LIMIT ?", [due])]


def _pending_related(db: Database) -> list[str]:
    """Related-news link targets no stored article answers to yet."""
    return [row[0] for row in db.execute(
        "SELECT DISTINCT url FROM related_links WHERE target_article_id IS NULL ORDER BY url")]


def _failed(db: Database) -> set[str]:
    """URLs that failed for good in an earlier run and have not answered since."""
    if not db["failures"].exists():
        return set()
    return {row[0] for row in db.execute("SELECT url FROM failures")}
