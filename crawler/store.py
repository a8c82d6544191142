"""The SQLite database of the crawl: schema, article writes with revisions, aliases, pages, rejects, search.

Written with sqlite-utils and usable without Scrapy (pipelines, benchmarks and the Datasette code
share it). One file holds everything a scheduled run needs to know; it runs in WAL mode with a busy
timeout, so Datasette can read while a crawl writes, and with foreign keys enforced.

Identity columns of `articles` (url, body_hash, duplicate_of, similarity) are decided by
`crawler.dedupe`; content columns are written here by `write_article`, which keeps the previous
version in `revisions` when the title, body or modification date changed. Full-text search runs over
`title_search` and `body_search`, the `crawler.arabic.normalize`d title and body, indexed by FTS5 and
kept in sync by triggers; `search` normalizes the query the same way, so «محمد» finds «مُحَمَّد».

Writes go through `Batches`: one transaction per `batch_size` items, so a crash loses at most the open
batch, which the next run fetches again. sqlite-utils creates the schema and runs search; the per-item
writes are plain parameterized SQL, because its per-call table introspection tripled their cost.
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from crawler.arabic import normalize, word_count
from crawler.urls import canonicalize

BUSY_TIMEOUT_SECONDS = 30
FTS_COLUMNS = ["title_search", "body_search"]
# Harakat are already gone from the normalized columns; this also folds Latin accents in English posts.
FTS_TOKENIZER = "unicode61 remove_diacritics 2"
ARTICLE_COLUMNS = {
    "id": int, "url": str, "title": str, "teaser": str, "body": str,
    "published_at": str, "modified_at": str, "section": str, "author": str, "lang": str,
    "word_count": int, "shortlink_id": int, "duplicate_of": int, "similarity": float,
    "body_hash": str, "first_seen": str, "last_seen": str, "gone_at": str, "provenance": str,
    "title_search": str, "body_search": str,
}
# What `crawler.runs` records of each run (coverage, health_reasons and the Scrapy stats hold JSON).
CRAWL_RUN_COLUMNS = {
    "id": int, "started_at": str, "finished_at": str, "spider": str, "mode": str, "base_url": str,
    "status": str, "finish_reason": str, "requests": int, "bytes": int, "articles_found": int, "items": int,
    "new": int, "updated": int, "unchanged": int, "gone": int, "rejected": int, "skipped_known": int,
    "failed": int, "coverage": str, "health_reasons": str, "stats": str,
}
# The fields whose change makes a new revision of an article.
REVISED_TEXT_FIELDS = ("title", "body")
# What the storage itself raises (a path that cannot hold a file, a read-only or full disk, a lock held past
# the busy timeout); a constraint violation (IntegrityError) is a bug, not one of these.
STORAGE_FAILURES = (sqlite3.OperationalError, OSError)


class StorageError(Exception):
    """NEWS_DB cannot be opened or written; the message names the file and the cause, on one line."""

    @classmethod
    def of(cls, path: str | Path, error: BaseException) -> StorageError:
        """The error `error` (one of STORAGE_FAILURES, or already a StorageError) means for NEWS_DB `path`."""
        if isinstance(error, StorageError):
            return error
        cause = getattr(error, "strerror", None) if isinstance(error, OSError) else None
        return cls(f"NEWS_DB {path} cannot be written: {cause or error}")


def open_db(path: str | Path) -> Database:
    """Open (creating if needed) the crawl database at `path`, configured and with the full schema.

    Raises `StorageError` when the file cannot be created, opened or written.
    """
    path = Path(path)
    blocker = next((folder for folder in path.parents if folder.exists()), None)
    if blocker is not None and not blocker.is_dir():
        raise StorageError(f"NEWS_DB {path} cannot be written: {blocker} is a file, not a directory")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = Database(sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS))
        try:
            db.enable_wal()
            db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_SECONDS * 1000}")
            db.execute("PRAGMA foreign_keys = ON")
            db.execute("PRAGMA synchronous = NORMAL")
            ensure_schema(db)
        except BaseException:
            db.close()
            raise
    except STORAGE_FAILURES as error:
        raise StorageError.of(path, error) from error
    return db


def ensure_schema(db: Database) -> None:
    """Create every table, index and the full-text index that do not exist yet (safe to run each time)."""
    db["sections"].create({"name": str}, pk="name", if_not_exists=True)
    db["articles"].create(
        ARTICLE_COLUMNS,
        pk="id",
        not_null=["url", "first_seen", "last_seen"],
        foreign_keys=[("section", "sections", "name")],
        if_not_exists=True,
    )
    for name, kind in ARTICLE_COLUMNS.items():  # a database made by an earlier version gains new columns
        if name not in db["articles"].columns_dict:
            db["articles"].add_column(name, kind)
    if not any(fk.column == "duplicate_of" for fk in db["articles"].foreign_keys):
        db["articles"].add_foreign_key("duplicate_of", "articles", "id")
    db["url_aliases"].create(
        {"url": str, "article_id": int, "first_seen": str},
        pk="url",
        not_null=["article_id"],
        foreign_keys=[("article_id", "articles", "id")],
        if_not_exists=True,
    )
    db["article_tags"].create(
        {"article_id": int, "tag": str},
        pk=("article_id", "tag"),
        foreign_keys=[("article_id", "articles", "id")],
        if_not_exists=True,
    )
    db["images"].create(
        {"article_id": int, "position": int, "src": str, "alt": str, "caption": str},
        pk=("article_id", "position"),
        not_null=["src"],
        foreign_keys=[("article_id", "articles", "id")],
        if_not_exists=True,
    )
    db["related_links"].create(
        {"article_id": int, "position": int, "url": str, "anchor": str, "target_article_id": int},
        pk=("article_id", "position"),
        not_null=["url"],
        foreign_keys=[("article_id", "articles", "id"), ("target_article_id", "articles", "id")],
        if_not_exists=True,
    )
    db["pages"].create(
        {"url": str, "article_id": int, "fetched_at": str, "status": int, "etag": str,
         "last_modified": str, "html_zlib": bytes},
        pk="url",
        foreign_keys=[("article_id", "articles", "id")],
        if_not_exists=True,
    )
    db["revisions"].create(
        {"id": int, "article_id": int, "fetched_at": str, "replaced_at": str, "title": str,
         "teaser": str, "body": str, "published_at": str, "modified_at": str},
        pk="id",
        not_null=["article_id"],
        foreign_keys=[("article_id", "articles", "id")],
        if_not_exists=True,
    )
    db["crawl_runs"].create(CRAWL_RUN_COLUMNS, pk="id", if_not_exists=True)
    db["rejects"].create(
        {"id": int, "url": str, "reason": str, "rejected_at": str, "status": int, "html_zlib": bytes},
        pk="id",
        not_null=["reason", "rejected_at"],
        if_not_exists=True,
    )
    db["sitemap_urls"].create({"url": str, "lastmod": str, "listed_at": str}, pk="url", if_not_exists=True)
    db["failures"].create(
        {"url": str, "reason": str, "attempts": int, "last_tried": str},
        pk="url",
        if_not_exists=True,
    )
    for table, columns, unique in [
        ("articles", ["url"], True),
        ("articles", ["published_at"], False),
        ("articles", ["section"], False),
        ("articles", ["duplicate_of"], False),
        ("articles", ["body_hash"], False),
        ("articles", ["last_seen"], False),
        ("url_aliases", ["article_id"], False),
        ("article_tags", ["tag"], False),
        ("related_links", ["url"], False),
        ("related_links", ["target_article_id"], False),
        ("pages", ["article_id"], False),
        ("revisions", ["article_id"], False),
        ("rejects", ["rejected_at"], False),
    ]:
        db[table].create_index(columns, unique=unique, if_not_exists=True)
    if not db["articles_fts"].exists():
        db["articles"].enable_fts(FTS_COLUMNS, create_triggers=True, tokenize=FTS_TOKENIZER)


class Batches:
    """Groups the writes of `batch_size` items into one transaction on `db`.

    Call `begin()` before an item's first write and `item_done()` after its last; `commit()` ends the
    open batch early (at the end of a crawl). sqlite-utils nests its own writes as savepoints inside.
    """

    def __init__(self, db: Database, batch_size: int):
        self.db = db
        self.batch_size = max(1, batch_size)
        self.items_in_batch = 0

    def begin(self) -> None:
        if not self.db.conn.in_transaction:
            self.db.begin()

    def item_done(self) -> None:
        self.items_in_batch += 1
        if self.items_in_batch >= self.batch_size:
            self.commit()

    def commit(self) -> None:
        self.db.commit()
        self.items_in_batch = 0


def compress(html: str | None) -> bytes | None:
    """Raw page HTML as stored: UTF-8, zlib-compressed (Arabic pages shrink about 5×)."""
    return None if html is None else zlib.compress(html.encode("utf-8"), 6)


def decompress(blob: bytes | None) -> str | None:
    """The HTML `compress` stored."""
    return None if blob is None else zlib.decompress(blob).decode("utf-8")


def timestamp(moment: datetime | None) -> str | None:
    """ISO 8601 with its UTC offset, as every date column holds it."""
    return None if moment is None else moment.isoformat()


def article_id_for_urls(db: Database, urls: Iterable[str]) -> int | None:
    """The article any of `urls` (canonical) is already known under, or None."""
    urls = list(urls)
    placeholders = ", ".join("?" for _ in urls)
    row = db.execute(
        f"SELECT article_id FROM url_aliases WHERE url IN ({placeholders}) ORDER BY article_id LIMIT 1", urls
    ).fetchone()
    return None if row is None else row[0]


def article_id_for_body_hash(db: Database, body_hash: str) -> int | None:
    """The earliest article whose normalized body has hash `body_hash`, or None."""
    row = db.execute(
        "SELECT id FROM articles WHERE body_hash = ? ORDER BY id LIMIT 1", [body_hash]
    ).fetchone()
    return None if row is None else row[0]


def create_article(
    db: Database,
    url: str,
    body_hash: str,
    body_search: str,
    seen_at: datetime,
    published_at: datetime | None = None,
) -> int:
    """Insert the identity of a new article (its content follows with `write_article`); return its id.

    The normalized body and the publication date are written at once, so later items of the same
    batch can be compared with them before the content arrives.
    """
    seen = timestamp(seen_at)
    return _insert(
        db, "articles",
        {"url": url, "body_hash": body_hash, "body_search": body_search, "published_at": timestamp(published_at),
         "first_seen": seen, "last_seen": seen},
    )


def set_article_url(db: Database, article_id: int, url: str, published_at: datetime | None) -> None:
    """Make `url` the canonical URL of the article (its earliest publication, found after a re-post)."""
    _update_article(db, article_id, {"url": url, "published_at": timestamp(published_at)})


def set_duplicate_of(db: Database, article_id: int, original_id: int, similarity: float | None) -> None:
    """Record that article `article_id` republishes article `original_id` with `similarity`."""
    _update_article(db, article_id, {"duplicate_of": original_id, "similarity": similarity})


def duplicates_of(db: Database, original_id: int) -> list[int]:
    """The articles recorded as republications of article `original_id`."""
    return [row[0] for row in db.execute("SELECT id FROM articles WHERE duplicate_of = ? ORDER BY id", [original_id])]


def set_body_hash(db: Database, article_id: int, body_hash: str) -> None:
    """Record the hash of an article's new normalized body."""
    _update_article(db, article_id, {"body_hash": body_hash})


def record_aliases(db: Database, article_id: int, urls: Iterable[str], seen_at: datetime) -> None:
    """Remember every URL the article was met under, and point related links to it that waited for it."""
    urls = sorted(set(urls))
    for url in urls:
        _insert(db, "url_aliases", {"url": url, "article_id": article_id, "first_seen": timestamp(seen_at)},
                verb="INSERT OR IGNORE")
    placeholders = ", ".join("?" for _ in urls)
    db.execute(
        f"UPDATE related_links SET target_article_id = ? "
        f"WHERE target_article_id IS NULL AND url IN ({placeholders})",
        [article_id, *urls],
    )


def article_row(db: Database, article_id: int) -> dict[str, Any]:
    """The `articles` row of `article_id`."""
    cursor = db.execute("SELECT * FROM articles WHERE id = ?", [article_id])
    return dict(zip([column[0] for column in cursor.description], cursor.fetchone()))


def article_url(db: Database, article_id: int) -> str:
    """The canonical URL of article `article_id`."""
    return db.execute("SELECT url FROM articles WHERE id = ?", [article_id]).fetchone()[0]


def write_article(db: Database, article_id: int, article: Mapping[str, Any], base_url: str | None,
                  revise: bool = True) -> str:
    """Write the content of `article` (a cleaned `Article` read through ItemAdapter) into row `article_id`.

    Returns "new" for the first content of the row, "updated" when it is a revision (the previous
    version then goes to `revisions`, see `is_revision`, unless `revise` is false: the row's previous
    content came from another page, a re-post the original now replaces), else "unchanged". Tags, images and
    related links are replaced by the item's; related links point to their target when it is known.
    """
    previous = article_row(db, article_id)
    seen_at = timestamp(article.get("fetched_at")) or previous["last_seen"]
    row = content_row(article)
    if previous["title"] is None:
        outcome = "new"
    elif not is_revision(previous, row):
        outcome = "unchanged"
    else:
        outcome = "updated"
        if revise:
            _insert(
                db, "revisions",
                {"article_id": article_id, "fetched_at": previous["last_seen"], "replaced_at": seen_at,
                 **{name: previous[name] for name in ("title", "teaser", "body", "published_at", "modified_at")}},
            )
    if row["section"] is not None:
        _insert(db, "sections", {"name": row["section"]}, verb="INSERT OR IGNORE")
    _update_article(db, article_id, {**row, "last_seen": seen_at, "gone_at": None})
    _replace_children(db, article_id, article, base_url)
    return outcome


def is_revision(previous: Mapping[str, Any], current: Mapping[str, Any]) -> bool:
    """True when the title or body changed, or the modification time moved forward.

    The same text with an earlier modification time is not an edit: it is the original publication
    taking the row over from a re-post that was met first.
    """
    if any(previous[name] != current[name] for name in REVISED_TEXT_FIELDS):
        return True
    before, after = previous["modified_at"], current["modified_at"]
    return bool(before and after and datetime.fromisoformat(after) > datetime.fromisoformat(before))


def content_row(article: Mapping[str, Any]) -> dict[str, Any]:
    """The `articles` content columns for a cleaned `Article`, search columns normalized."""
    title, body = article.get("title"), article.get("body")
    return {
        "title": title,
        "teaser": article.get("teaser"),
        "body": body,
        "published_at": timestamp(article.get("published_at")),
        "modified_at": timestamp(article.get("modified_at")),
        "section": article.get("section") or None,
        "author": article.get("author") or None,
        "lang": article.get("lang"),
        "word_count": None if body is None else word_count(body),
        "shortlink_id": article.get("shortlink_id"),
        "provenance": json.dumps(article.get("provenance") or {}, ensure_ascii=False, sort_keys=True),
        "title_search": None if title is None else normalize(title),
        "body_search": None if body is None else normalize(body),
    }


def _replace_children(db: Database, article_id: int, article: Mapping[str, Any], base_url: str | None) -> None:
    for table in ("article_tags", "images", "related_links"):
        db.execute(f"DELETE FROM [{table}] WHERE article_id = ?", [article_id])
    tags = sorted({tag for tag in article.get("tags") or [] if tag})
    for tag in tags:
        _insert(db, "article_tags", {"article_id": article_id, "tag": tag})
    for position, image in enumerate(article.get("images") or []):
        _insert(db, "images", {"article_id": article_id, "position": position, "src": image.src,
                               "alt": image.alt, "caption": image.caption})
    links = [(position, canonicalize(link.url, base_url), link.anchor)
             for position, link in enumerate(article.get("related") or [])]
    targets = _article_ids_by_url(db, [url for _, url, _ in links])
    for position, url, anchor in links:
        _insert(db, "related_links", {"article_id": article_id, "position": position, "url": url,
                                      "anchor": anchor, "target_article_id": targets.get(url)})


def _article_ids_by_url(db: Database, urls: list[str]) -> dict[str, int]:
    if not urls:
        return {}
    placeholders = ", ".join("?" for _ in urls)
    return dict(db.execute(f"SELECT url, article_id FROM url_aliases WHERE url IN ({placeholders})", urls))


def touch_article(db: Database, article_id: int, seen_at: datetime | None) -> None:
    """Record that the article was seen again (under an alias) at `seen_at`."""
    if seen_at is not None:
        db.execute(
            "UPDATE articles SET last_seen = max(last_seen, ?) WHERE id = ?", [timestamp(seen_at), article_id]
        )


def has_page(db: Database, url: str) -> bool:
    """True when a page was stored from `url` before."""
    return db.execute("SELECT 1 FROM pages WHERE url = ?", [url]).fetchone() is not None


def save_page(db: Database, url: str, article_id: int | None, article: Mapping[str, Any]) -> None:
    """Keep the latest raw HTML fetched from `url`, compressed, with its HTTP validators."""
    _insert(
        db, "pages",
        {"url": url, "article_id": article_id, "fetched_at": timestamp(article.get("fetched_at")),
         "status": article.get("status"), "etag": article.get("etag"),
         "last_modified": article.get("last_modified"), "html_zlib": compress(article.get("html"))},
        verb="INSERT OR REPLACE",
    )


def record_reject(db: Database, article: Mapping[str, Any], reason: str, rejected_at: datetime) -> None:
    """Keep an item that cannot be stored, with why and its raw page, so nothing is lost silently."""
    _insert(
        db, "rejects",
        {"url": article.get("url"), "reason": reason, "rejected_at": timestamp(rejected_at),
         "status": article.get("status"), "html_zlib": compress(article.get("html"))},
    )


def record_failure(db: Database, url: str, reason: str, tried_at: datetime) -> None:
    """A request for `url` failed for good: one more attempt in `failures`, with the latest reason and time."""
    db.execute(
        "INSERT INTO failures (url, reason, attempts, last_tried) VALUES (?, ?, 1, ?) "
        "ON CONFLICT (url) DO UPDATE SET reason = excluded.reason, attempts = attempts + 1, "
        "last_tried = excluded.last_tried",
        [url, reason, timestamp(tried_at)],
    )


def clear_failure(db: Database, url: str) -> None:
    """`url` answered: it is no longer a failure."""
    db.execute("DELETE FROM failures WHERE url = ?", [url])


def record_page_status(db: Database, url: str, status: int, fetched_at: datetime) -> None:
    """A known page answered without content: 304 moves its article's `last_seen`, 404/410 sets `gone_at`.

    The article row stays (the archive keeps what was published); fetching it again with content
    clears `gone_at`. A URL no article is known under changes nothing.
    """
    article_id = article_id_for_urls(db, [url])
    if article_id is None:
        return
    if status == 304:
        touch_article(db, article_id, fetched_at)
    elif status in (404, 410):
        db.execute(
            "UPDATE articles SET gone_at = coalesce(gone_at, ?) WHERE id = ?", [timestamp(fetched_at), article_id]
        )


def replace_sitemap_listing(db: Database, entries: Mapping[str, str | None], listed_at: datetime) -> None:
    """Keep the sitemap's URLs and their `lastmod` as just read, in place of the previous listing."""
    db.execute("DELETE FROM sitemap_urls")
    for url, lastmod in entries.items():
        _insert(db, "sitemap_urls", {"url": url, "lastmod": lastmod, "listed_at": timestamp(listed_at)})


def _insert(db: Database, table: str, row: Mapping[str, Any], verb: str = "INSERT") -> int:
    columns = ", ".join(f"[{column}]" for column in row)
    placeholders = ", ".join("?" for _ in row)
    return db.execute(f"{verb} INTO [{table}] ({columns}) VALUES ({placeholders})", list(row.values())).lastrowid


def _update_article(db: Database, article_id: int, values: Mapping[str, Any]) -> None:
    assignments = ", ".join(f"[{column}] = ?" for column in values)
    db.execute(f"UPDATE articles SET {assignments} WHERE id = ?", [*values.values(), article_id])


def search(db: Database, query: str, limit: int = 20) -> list[dict[str, Any]]:
    """Articles matching `query` in title or body, best first; the query is normalized like the index."""
    terms = normalize(query)
    if not terms:
        return []
    return list(db["articles"].search(terms, columns=["id", "url", "title"], limit=limit, quote=True))
