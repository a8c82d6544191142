"""Validate pipeline: an article without url, title or body is kept in `rejects` with the reason, counted, dropped.

Items other than `Article` (page statuses, the sitemap listing) pass through untouched.
"""

from __future__ import annotations

from datetime import UTC, datetime

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem

from crawler import store
from crawler.items import Article
from pipelines.database import DatabasePipeline, storage_writes

REQUIRED_FIELDS = ("url", "title", "body")


def missing_fields(article: ItemAdapter) -> list[str]:
    """The required fields of `article` that are absent or blank."""
    return [name for name in REQUIRED_FIELDS if not (article.get(name) or "").strip()]


class ValidatePipeline(DatabasePipeline):
    """Rejects items that cannot become an article row, without losing them: `rejects` + `items/rejected`."""

    def process_item(self, item):
        if not isinstance(item, Article):
            return item
        article = ItemAdapter(item)
        missing = missing_fields(article)
        if not missing:
            return item
        reason = "missing " + ", ".join(missing)
        with storage_writes(self.crawler, self.shared):
            self.shared.batches.begin()
            store.record_reject(self.shared.db, article, reason, datetime.now(UTC))
            self.shared.batches.item_done()
        self.crawler.stats.inc_value("items/rejected")
        raise DropItem(f"{reason}: {article.get('url')}", log_level="INFO")
