"""Dedupe pipeline: decide which article an item is (URL, exact body, near-duplicate) and record its aliases."""

from __future__ import annotations

from datetime import UTC, datetime

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler

from crawler.dedupe import (
    DEFAULT_MIN_TEXT_SIMILARITY,
    NearDuplicateIndex,
    identify,
    item_urls,
)
from crawler.items import Article
from pipelines.database import DatabasePipeline, DatabaseSettings, storage_writes

# Calibrated on the replica's near-duplicates against unrelated articles (tests/test_pipelines.py).
DEFAULT_NEAR_THRESHOLD = 0.5
DEFAULT_NUM_PERM = 128


class DedupePipeline(DatabasePipeline):
    """Writes the item's identity (`crawler.dedupe.identify`); counts `items/alias` and `items/near_duplicate`."""

    def __init__(
        self, crawler: Crawler, settings: DatabaseSettings, threshold: float, num_perm: int,
        min_text_similarity: float,
    ):
        super().__init__(crawler, settings)
        self.threshold = threshold
        self.num_perm = num_perm
        self.min_text_similarity = min_text_similarity

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupePipeline:
        return cls(
            crawler,
            DatabaseSettings.from_crawler(crawler),
            threshold=crawler.settings.getfloat("DEDUPE_NEAR_THRESHOLD", DEFAULT_NEAR_THRESHOLD),
            num_perm=crawler.settings.getint("DEDUPE_NUM_PERM", DEFAULT_NUM_PERM),
            min_text_similarity=crawler.settings.getfloat(
                "DEDUPE_MIN_TEXT_SIMILARITY", DEFAULT_MIN_TEXT_SIMILARITY
            ),
        )

    def open_spider(self) -> None:
        super().open_spider()
        with self.shared.db.atomic():
            self.index = NearDuplicateIndex(self.shared.db, self.threshold, self.num_perm)

    def process_item(self, item):
        if not isinstance(item, Article):
            return item
        article = ItemAdapter(item)
        urls = item_urls(article["url"], article.get("canonical_url"), article.get("shortlink_id"), self.base_url)
        seen_at = article.get("fetched_at") or datetime.now(UTC)
        with storage_writes(self.crawler, self.shared):
            self.shared.batches.begin()
            identity = identify(
                self.shared.db, self.index, urls, article["body"], seen_at, article.get("published_at"),
                self.min_text_similarity,
            )
        if identity.outcome == "alias":
            self.crawler.stats.inc_value("items/alias")
        if identity.duplicate_of is not None or identity.supersedes is not None:
            self.crawler.stats.inc_value("items/near_duplicate")
        return item
