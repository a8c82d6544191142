"""The crawl's one database connection, shared by the pipelines that write (validate, dedupe, store).

The dedupe step must see what the store step wrote for earlier items of the same, not yet committed,
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

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.utils.defer import deferred_from_coro
from sqlite_utils import Database

from crawler import store
from crawler.extensions import STORAGE_ERROR_STAT

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


class DatabasePipeline:
    """Base of the pipelines that write: takes the shared connection when the spider opens, gives it back
    when it closes (the last one commits the open batch)."""

    def __init__(self, crawler: Crawler, settings: DatabaseSettings):
        self.crawler = crawler
        self.settings = settings

    @classmethod
    def from_crawler(cls, crawler: Crawler):
        return cls(crawler, DatabaseSettings.from_crawler(crawler))

    def open_spider(self) -> None:
        self.shared = acquire_database(self.crawler, self.settings)
        self.base_url = site_base_url(self.crawler)

    def close_spider(self) -> None:
        release_database(self.crawler)
