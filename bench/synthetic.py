"""Large crawl databases without crawling: articles made from the replica's truth, stored by `crawler.store`.

`synthetic_articles` turns the truth of a small replica site into as many distinct `Article` items as
asked: each keeps a real article's title, section, tags, images and dates, and gets a body of
paragraphs drawn from different real articles, so bodies are as unlike each other as the site's own
(no accidental near-duplicates) and the search index holds real Arabic text. `fill` writes them
through the storage code the store and dedupe pipelines use (`crawler.store`, `crawler.dedupe`), in
bulk, which is what makes 100k articles take minutes instead of the hours a crawl would.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

from itemadapter import ItemAdapter

from crawler import dedupe, store
from crawler.items import Article, Image
from pipelines.clean import CleanPipeline
from pipelines.dedupe import DEFAULT_NEAR_THRESHOLD, DEFAULT_NUM_PERM
from replica import build_site

SITE_URL = "http://bench.invalid"
POOL_ARTICLES = 1500
PARAGRAPHS_PER_BODY = (3, 8)
FILL_BATCH = 500


def truth_pool(seed: int, size: int = POOL_ARTICLES) -> list[dict]:
    """The live articles of a `size`-article replica site (the raw material of synthetic articles)."""
    return [record for record in build_site(size, seed).truth(SITE_URL) if record["status"] == "live"]


def synthetic_articles(pool: list[dict], count: int, seed: int, first_number: int = 0) -> Iterator[Article]:
    """`count` distinct articles numbered from `first_number`, deterministic for (`pool`, `seed`, number)."""
    paragraphs = [paragraph for record in pool for paragraph in record["body"].split("\n\n")]
    for number in range(first_number, first_number + count):
        rng = random.Random(f"{seed}:{number}")
        model = pool[number % len(pool)]
        body = "\n\n".join(rng.sample(paragraphs, rng.randint(*PARAGRAPHS_PER_BODY)))
        published = datetime.fromisoformat(model["published_at"]) + timedelta(minutes=number)
        yield Article(
            url=f"{SITE_URL}/synthetic/{number}/",
            canonical_url=f"{SITE_URL}/synthetic/{number}/",
            title=f"{model['title']} ({number})",
            teaser=model["teaser"],
            body=body,
            images=[Image(image["src"], image["alt"], image["caption"]) for image in model["images"]],
            published_at=published,
            modified_at=published,
            section=model["section"],
            tags=list(model["tags"]),
            author=model["author"],
            lang=model["lang"],
            fetched_at=published + timedelta(days=1),
            status=200,
            html=_page_html(model["title"], body),
        )


def _page_html(title: str, body: str) -> str:
    """A stand-in for the fetched page, about as large as a real one, for the `pages` table."""
    paragraphs = "".join(f"<p>{paragraph}</p>" for paragraph in body.split("\n\n"))
    chrome = "<nav>" + "<a href='/category/news/'>أخبار</a>" * 150 + "</nav>"
    return f"<html lang='ar' dir='rtl'><head><title>{title}</title></head><body>{chrome}<h1>{title}</h1>{paragraphs}</body></html>"


def fill(db_path: Path, articles: Iterator[Article]) -> int:
    """Store `articles` (cleaned as the clean pipeline does) with their identity keys, aliases, MinHash
    signatures, tags, images and pages, FILL_BATCH to a transaction; return how many were stored.

    Every article is taken as new (synthetic bodies share no story), so the per-item identity lookup
    of `crawler.dedupe.identify` is skipped; everything it would write is written.
    """
    clean = CleanPipeline()
    db = store.open_db(db_path)
    index = dedupe.NearDuplicateIndex(db, DEFAULT_NEAR_THRESHOLD, DEFAULT_NUM_PERM)
    stored = 0
    batch: list[ItemAdapter] = []
    for article in articles:
        batch.append(ItemAdapter(clean.process_item(article)))
        if len(batch) == FILL_BATCH:
            stored += _store_batch(db, index, batch)
            batch = []
    if batch:
        stored += _store_batch(db, index, batch)
    db.close()
    return stored


def _store_batch(db, index: dedupe.NearDuplicateIndex, batch: list[ItemAdapter]) -> int:
    with db.conn:
        for article in batch:
            urls = dedupe.item_urls(article["url"], article.get("canonical_url"), None, SITE_URL)
            article_id = store.create_article(
                db, urls.canonical, dedupe.body_hash(article["body"]), "", article["fetched_at"],
                article["published_at"],
            )
            index.add(article_id, dedupe.signature(article["body"], index.num_perm))
            store.record_aliases(db, article_id, urls.seen, article["fetched_at"])
            store.write_article(db, article_id, article, SITE_URL)
            store.save_page(db, urls.fetched, article_id, article)
    return len(batch)
