"""Per-item cost of the clean → dedupe → store pipelines, as a function of how many articles are stored.

The pipelines are the project's own classes, built from a Scrapy crawler (`scrapy.utils.test.get_crawler`)
and fed items in their Scrapy order on a real database file, exactly as a crawl feeds them, including
the batch commits; only Scrapy's scheduling around them is absent.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from pathlib import Path

from scrapy import Spider
from scrapy.utils.test import get_crawler

from bench.synthetic import SITE_URL
from crawler.items import Article
from pipelines.clean import CleanPipeline
from pipelines.dedupe import DedupePipeline
from pipelines.store import StorePipeline

MEASURED_PIPELINES = (CleanPipeline, DedupePipeline, StorePipeline)


def seconds_per_item(db_path: Path, items: Iterable[Article]) -> float:
    """Mean wall time per item of clean + dedupe + store on `db_path`, open and close included."""
    items = list(items)
    crawler = get_crawler(settings_dict={"NEWS_DB": str(db_path)})
    crawler.spider = Spider(name="alghad", base_url=SITE_URL)
    started = time.perf_counter()
    pipelines = [
        pipeline.from_crawler(crawler) if hasattr(pipeline, "from_crawler") else pipeline()
        for pipeline in MEASURED_PIPELINES
    ]
    for pipeline in pipelines:
        if hasattr(pipeline, "open_spider"):
            pipeline.open_spider()
    for item in items:
        for pipeline in pipelines:
            item = pipeline.process_item(item)
    for pipeline in reversed(pipelines):
        if hasattr(pipeline, "close_spider"):
            pipeline.close_spider()
    elapsed = time.perf_counter() - started
    stored = crawler.stats.get_value("items/new", 0)
    if stored != len(items):
        raise RuntimeError(f"expected {len(items)} new articles, the pipelines stored {stored}")
    return elapsed / len(items)
