"""Store pipeline: write each identified article's content, page and revision into SQLite, in batches.

It also records what the spider learnt without an article: a known page's status (304 not modified,
404/410 gone) and the sitemap listing as last read.

Also home of the per-crawl database connection the validate, dedupe and store pipelines share:
the dedupe step must see what the store step wrote for earlier items of the same, not yet committed,
batch, so they all write on one connection and `STORE_BATCH_SIZE` items make one transaction.

A write the storage refuses (a full disk, a file turned read-only) rolls the open batch back, logs one line
naming NEWS_DB and the cause, leaves it in the `run/storage_error` stat and closes the spider: fetching on
while every write fails would only lose pages. The committed batches stay as they were.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from weakref import WeakKeyDictionary

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.utils.defer import deferred_from_coro
from sqlite_utils import Database

from crawler import store
from crawler.dedupe import item_urls
from crawler.extensions import STORAGE_ERROR_STAT
from crawler.items import (
    Article,
    FetchFailure,
    FetchRecovered,
    PageStatus,
    SitemapListing,
)

DEFAULT_NEWS_DB = "data/news.db"
DEFAULT_STORE_BATCH_SIZE = 100
STORAGE_ERROR_REASON = "storage_error"

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DatabaseSettings:
    """Where the crawl is stored and how many items each transaction holds."""

    path: str
    batch_size: int

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DatabaseSettings:
        settings = crawler.settings
        return cls(
            path=settings.get("NEWS_DB", DEFAULT_NEWS_DB),
            batch_size=settings.getint("STORE_BATCH_SIZE", DEFAULT_STORE_BATCH_SIZE),
        )


@dataclass
class SharedDatabase:
    """One crawl's connection and its open batch, shared by the pipelines that write."""

    db: Database
    batches: store.Batches
    path: str
    users: int = 0
    storage_error: str | None = None


_shared: WeakKeyDictionary[Crawler, SharedDatabase] = WeakKeyDictionary()


def acquire_database(crawler: Crawler, settings: DatabaseSettings) -> SharedDatabase:
    """The crawl's shared database, opened by the first pipeline that asks."""
    shared = _shared.get(crawler)
    if shared is None:
        db = store.open_db(settings.path)
        shared = _shared[crawler] = SharedDatabase(db, store.Batches(db, settings.batch_size), settings.path)
    shared.users += 1
    return shared


def release_database(crawler: Crawler) -> None:
    """Give the shared database back; the last pipeline to do so commits the open batch and closes it."""
    shared = _shared[crawler]
    shared.users -= 1
    if shared.users == 0:
        if shared.storage_error is None:
            try:
                shared.batches.commit()
            except store.STORAGE_FAILURES as error:
                report_storage_error(crawler, str(store.StorageError.of(shared.path, error)))
        shared.db.close()
        del _shared[crawler]


@contextlib.contextmanager
def storage_writes(crawler: Crawler, shared: SharedDatabase) -> Iterator[None]:
    """Run one item's writes; when the storage refuses them, roll the open batch back and stop the crawl.

    The item is then dropped (DropItem), as is every later one: nothing is written after a storage error.
    """
    if shared.storage_error is not None:
        raise DropItem(f"not stored: {shared.storage_error}", log_level="DEBUG")
    try:
        yield
    except store.STORAGE_FAILURES as error:
        shared.storage_error = str(store.StorageError.of(shared.path, error))
        with contextlib.suppress(*store.STORAGE_FAILURES):
            shared.db.conn.rollback()
        shared.batches.items_in_batch = 0
        stop_on_storage_error(crawler, shared.storage_error)
        raise DropItem(f"not stored: {shared.storage_error}", log_level="DEBUG") from error


def stop_on_storage_error(crawler: Crawler, message: str) -> None:
    """Report `message` and close the spider (reason "storage_error")."""
    report_storage_error(crawler, message)
    deferred_from_coro(crawler.engine.close_spider_async(reason=STORAGE_ERROR_REASON))


def report_storage_error(crawler: Crawler, message: str) -> None:
    """Log `message` on one line and keep it in the run's stats, where the run recorder finds it."""
    logger.error("%s: the crawl stops, its last committed batch kept.", message)
    crawler.stats.set_value(STORAGE_ERROR_STAT, message)


def site_base_url(crawler: Crawler) -> str | None:
    """The base URL of the crawled site, as the spider was started with (None: each item's own URL)."""
    return getattr(crawler.spider, "base_url", None)


class StorePipeline:
    """Writes an item's content, tags, images, related links and raw page; counts new/updated/unchanged.
    Records the spider's failures (`failures`) and their recoveries.

    The dedupe pipeline has already recorded the item's identity; an item that turned out to be an
    alias of another article (a re-post) only refreshes that article's `last_seen` and keeps its page.
    """

    def __init__(self, crawler: Crawler, settings: DatabaseSettings):
        self.crawler = crawler
        self.settings = settings

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(crawler, DatabaseSettings.from_crawler(crawler))

    def open_spider(self) -> None:
        self.shared = acquire_database(self.crawler, self.settings)
        self.base_url = site_base_url(self.crawler)

    def close_spider(self) -> None:
        release_database(self.crawler)

    def process_item(self, item):
        with storage_writes(self.crawler, self.shared):
            self.shared.batches.begin()
            if isinstance(item, PageStatus):
                store.record_page_status(self.shared.db, item.url, item.status, item.fetched_at)
            elif isinstance(item, SitemapListing):
                store.replace_sitemap_listing(self.shared.db, item.entries, item.fetched_at)
            elif isinstance(item, FetchFailure):
                store.record_failure(self.shared.db, item.url, item.reason, item.failed_at)
            elif isinstance(item, FetchRecovered):
                store.clear_failure(self.shared.db, item.url)
            elif isinstance(item, Article):
                self._store_article(item)
            self.shared.batches.item_done()
        return item

    def _store_article(self, item: Article) -> None:
        article = ItemAdapter(item)
        db = self.shared.db
        urls = item_urls(article["url"], article.get("canonical_url"), article.get("shortlink_id"), self.base_url)
        article_id = store.article_id_for_urls(db, [urls.canonical])
        if self._is_own_page(store.article_row(db, article_id), urls, article.get("shortlink_id")):
            revise = store.has_page(db, urls.fetched)
            outcome = store.write_article(db, article_id, article, self.base_url, revise)
            self.crawler.stats.inc_value(f"items/{outcome}")
        else:
            store.touch_article(db, article_id, article.get("fetched_at"))
        store.save_page(db, urls.fetched, article_id, article)

    @staticmethod
    def _is_own_page(row, urls, shortlink_id: int | None) -> bool:
        """True when the page is the stored article itself (or a variant of it), so its content is the row's.

        A re-post whose rel=canonical names the article is another post (another shortlink id): it fills
        the row only while the row is empty, and the article's own page has the last word.
        """
        if row["url"] == urls.fetched or row["title"] is None:
            return True
        other_post = None not in (shortlink_id, row["shortlink_id"]) and shortlink_id != row["shortlink_id"]
        return row["url"] == urls.canonical and not other_post
