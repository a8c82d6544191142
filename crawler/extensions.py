"""The run recorder: one `crawl_runs` row per run, the lock against overlapping runs, and the health verdict.

A Scrapy extension (enabled in settings.EXTENSIONS): it takes the lock when the spider opens, counts the
field coverage of every scraped article, and when the spider closes writes the run's counts, coverage and
verdict, then leaves the exit status on the crawler's stats (`run/exit_status`) for the `crawl` command.
A run whose storage failed (the store pipeline's `run/storage_error` stat, or a NEWS_DB this extension
cannot write) ends with `runs.EXIT_STORAGE_ERROR`.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import deferred_from_coro

from crawler import runs, store
from crawler.items import Article, FetchFailure, FetchRecovered

logger = logging.getLogger(__name__)

FINISH_STATUSES = {"finished": None, "shutdown": "interrupted", "closespider_timeout": "timed_out"}
STORAGE_ERROR_STAT = "run/storage_error"
# Items that record how fetching went rather than something found on the site.
BOOKKEEPING_ITEMS = (FetchFailure, FetchRecovered)


class RunRecorder:
    """Records each run in `crawl_runs` and refuses to run beside another run on the same database."""

    def __init__(self, crawler: Crawler, db_path: str, rules: runs.HealthRules):
        self.crawler = crawler
        self.stats = crawler.stats
        self.db_path = db_path
        self.rules = rules
        self.lock = runs.RunLock(db_path)
        self.coverage = runs.Coverage()
        self.bookkeeping_items = 0
        self.run_id: int | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunRecorder:
        settings = crawler.settings
        if not settings.getbool("RUN_RECORDER_ENABLED", True):
            raise NotConfigured
        rules = runs.HealthRules(
            coverage_drop_points=settings.getfloat("HEALTH_COVERAGE_DROP_POINTS"),
            max_error_rate=settings.getfloat("HEALTH_MAX_ERROR_RATE"),
            recent_runs=settings.getint("HEALTH_RECENT_RUNS"),
            min_items_for_coverage=settings.getint("HEALTH_MIN_ITEMS"),
        )
        recorder = cls(crawler, settings.get("NEWS_DB"), rules)
        crawler.signals.connect(recorder.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(recorder.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(recorder.spider_closed, signal=signals.spider_closed)
        return recorder

    def spider_opened(self, spider):
        try:
            acquired = self.lock.acquire()
        except OSError as error:
            self.refuse_storage(store.StorageError.of(self.db_path, error))
            return
        if not acquired:
            logger.error("Another crawl is running on %s (%s): this run stops now, exit status %d.",
                         self.db_path, self.lock.holder(), runs.EXIT_LOCKED)
            self.stats.set_value("run/exit_status", runs.EXIT_LOCKED)
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="refused_locked"))
            return
        try:
            db = store.open_db(self.db_path)
            try:
                self.run_id = runs.start_run(db, datetime.now(timezone.utc), spider.name,
                                             getattr(spider, "mode", "full"), getattr(spider, "base_url", ""))
            finally:
                db.close()
        except (*store.STORAGE_FAILURES, store.StorageError) as error:
            self.lock.release()
            self.refuse_storage(store.StorageError.of(self.db_path, error))

    def refuse_storage(self, error: store.StorageError) -> None:
        """NEWS_DB cannot be written: say so on one line and stop before fetching anything."""
        logger.error("%s: this run stops now, exit status %d.", error, runs.EXIT_STORAGE_ERROR)
        self.stats.set_value(STORAGE_ERROR_STAT, str(error))
        self.stats.set_value("run/exit_status", runs.EXIT_STORAGE_ERROR)
        deferred_from_coro(self.crawler.engine.close_spider_async(reason="storage_error"))

    def item_scraped(self, item, spider):
        if isinstance(item, Article):
            self.coverage.add(ItemAdapter(item))
        elif isinstance(item, BOOKKEEPING_ITEMS):
            self.bookkeeping_items += 1

    def spider_closed(self, spider, reason):
        if self.run_id is None:
            return
        try:
            self.record(reason)
        except (*store.STORAGE_FAILURES, store.StorageError) as error:
            logger.error("%s: run %d could not be recorded, exit status %d.", store.StorageError.of(self.db_path, error),
                         self.run_id, runs.EXIT_STORAGE_ERROR)
            self.stats.set_value("run/exit_status", runs.EXIT_STORAGE_ERROR)
        finally:
            self.lock.release()

    def record(self, reason: str) -> None:
        stats = self.stats.get_stats()
        run = {
            "articles_found": (stats.get("item_scraped_count", 0) - self.bookkeeping_items
                               + stats.get("discovery/skipped/known", 0)),
            "items": self.coverage.items,
            "coverage": self.coverage.shares(),
            "requests": stats.get("downloader/request_count", 0),
            "failed": sum(value for key, value in stats.items() if key.startswith("pages/failed/")),
        }
        db = store.open_db(self.db_path)
        try:
            reasons = runs.health_verdict(run, runs.recent_runs(db, self.run_id, self.rules.recent_runs), self.rules)
            storage_error = stats.get(STORAGE_ERROR_STAT)
            status = ("storage_error" if storage_error else
                      FINISH_STATUSES.get(reason, reason) or ("unhealthy" if reasons else "healthy"))
            exit_status = (runs.EXIT_STORAGE_ERROR if storage_error else runs.EXIT_UNHEALTHY if reasons else
                           runs.EXIT_INTERRUPTED if status != "healthy" else runs.EXIT_HEALTHY)
            runs.finish_run(db, self.run_id, {
                "finished_at": datetime.now(timezone.utc).isoformat(),
                "status": status,
                "finish_reason": reason,
                "bytes": stats.get("downloader/response_bytes", 0),
                "new": stats.get("items/new", 0),
                "updated": stats.get("items/updated", 0),
                "unchanged": stats.get("items/unchanged", 0) + stats.get("pages/known_status/304", 0),
                "gone": stats.get("pages/known_status/404", 0) + stats.get("pages/known_status/410", 0),
                "rejected": stats.get("items/rejected", 0),
                "skipped_known": stats.get("discovery/skipped/known", 0),
                "health_reasons": reasons,
                "stats": stats,
                **run,
            })
        finally:
            db.close()
        self.stats.set_value("run/exit_status", exit_status)
        if reasons:
            logger.error("Run %d is UNHEALTHY: %s (data stored; exit status %d)", self.run_id, "; ".join(reasons),
                         exit_status)
        else:
            logger.info("Run %d %s: %s", self.run_id, status, run)
