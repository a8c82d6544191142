"""Store pipeline: write each identified article's content, page and revision into SQLite, in batches.

It also records what the spider learnt without an article: a known page's status (304 not modified,
404/410 gone), the sitemap listing as last read, and the URLs that failed or recovered.
"""

from __future__ import annotations

from itemadapter import ItemAdapter

from crawler import store
from crawler.dedupe import item_urls
from crawler.items import Article, FetchFailure, FetchRecovered, PageStatus, SitemapListing
from pipelines.database import DatabasePipeline, storage_writes


class StorePipeline(DatabasePipeline):
    """Writes an item's content, tags, images, related links and raw page; counts new/updated/unchanged.
    Records the spider's failures (`failures`) and their recoveries.

    The dedupe pipeline has already recorded the item's identity; an item that turned out to be an
    alias of another article (a re-post) only refreshes that article's `last_seen` and keeps its page.
    """

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
