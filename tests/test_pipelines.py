"""The four item pipelines, driven in their Scrapy order on real SQLite files.

Hand-made items check each rule; items built from the replica's ground truth (URL variants, re-posts,
near-duplicates) check the whole chain and calibrate the near-duplicate threshold.
"""

from __future__ import annotations

import random
import sqlite3
from datetime import UTC, datetime, time, timedelta

import pytest
from scrapy import Spider
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from crawler import dedupe, store
from crawler.arabic import clean
from crawler.dedupe import DEFAULT_MIN_TEXT_SIMILARITY, NearDuplicateIndex
from crawler.items import Article, Image, PageStatus, RelatedLink, SitemapListing
from crawler.urls import canonicalize, shortlink_id, url_date
from pipelines.clean import CleanPipeline
from pipelines.dedupe import DEFAULT_NEAR_THRESHOLD, DEFAULT_NUM_PERM, DedupePipeline
from pipelines.store import StorePipeline
from pipelines.validate import ValidatePipeline
from replica.model import build_site

BASE = "http://127.0.0.1:8123"
FETCHED = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
PIPELINES = (ValidatePipeline, CleanPipeline, DedupePipeline, StorePipeline)


class Crawl:
    """The pipelines of one crawl, opened on a database file, fed items in order, closed."""

    def __init__(self, db_path, base_url: str | None = BASE, **settings):
        self.crawler = get_crawler(settings_dict={"NEWS_DB": str(db_path), **settings})
        self.crawler.spider = Spider(name="alghad", base_url=base_url) if base_url else Spider(name="alghad")
        self.pipelines = [pipeline.from_crawler(self.crawler) if hasattr(pipeline, "from_crawler") else pipeline()
                          for pipeline in PIPELINES]
        for pipeline in self.pipelines:
            if hasattr(pipeline, "open_spider"):
                pipeline.open_spider()
        self.dropped: list[str] = []

    def feed(self, *items):
        for item in items:
            try:
                for pipeline in self.pipelines:
                    item = pipeline.process_item(item)
            except DropItem as drop:
                self.dropped.append(str(drop))
        return self

    def close(self):
        for pipeline in reversed(self.pipelines):
            if hasattr(pipeline, "close_spider"):
                pipeline.close_spider()
        return self

    def stat(self, name: str) -> int:
        return self.crawler.stats.get_value(name, 0)


def crawl(db_path, *items, **settings) -> Crawl:
    return Crawl(db_path, **settings).feed(*items).close()


def read(db_path) -> sqlite3.Connection:
    connection = sqlite3.connect(db_path)
    connection.row_factory = sqlite3.Row
    return connection


def article(url: str, body: str, **fields) -> Article:
    defaults = {"title": "عنوان الخبر", "fetched_at": FETCHED, "status": 200, "html": f"<html>{body}</html>"}
    return Article(url=url, body=body, **{**defaults, **fields})


def words(seed: int, count: int = 120) -> str:
    rng = random.Random(seed)
    vocabulary = ["سوريا", "حلب", "دمشق", "الجيش", "المعارضة", "زيارة", "لقاء", "رسالة", "قوات", "بيان", "اجتماع", "وفد", "مؤتمر", "الحل"]
    return " ".join(rng.choice(vocabulary) + str(rng.randrange(100)) for _ in range(count))


def test_validate_rejects_items_without_url_title_or_body(tmp_path):
    db_path = tmp_path / "news.db"
    run = crawl(
        db_path,
        Article(url=f"{BASE}/2017/10/21/no-title/", body="نص", html="<html>1</html>", status=200),
        Article(url=f"{BASE}/2017/10/21/blank/", title="  ", body="\n", html="<html>2</html>"),
        Article(url="", title="عنوان", body="نص"),
        article(f"{BASE}/2017/10/21/good/", "نص سليم"),
    )
    assert run.stat("items/rejected") == 3
    assert run.stat("items/new") == 1
    assert len(run.dropped) == 3
    rejects = [dict(row) for row in read(db_path).execute("SELECT url, reason, status, html_zlib FROM rejects")]
    assert [(r["url"], r["reason"], r["status"]) for r in rejects] == [
        (f"{BASE}/2017/10/21/no-title/", "missing title", 200),
        (f"{BASE}/2017/10/21/blank/", "missing title, body", None),
        ("", "missing url", None),
    ]
    assert store.decompress(rejects[0]["html_zlib"]) == "<html>1</html>"


def test_clean_applies_arabic_clean_to_every_text_field():
    raw = {"title": "  محمد  “باقري” ", "teaser": "نص\u200f  قصير", "body": "الاٍرهاب  و اشتهرت", "section": " أخبار ",
               "author": " بهية مارديني", "tags": [" حلب ", "  "], "images": [Image("/a.jpg", alt=" صورة ", caption="  ")],
               "related": [RelatedLink(f"{BASE}/x/", anchor=" خبر  آخر ")]}
    item = CleanPipeline().process_item(Article(url=f"{BASE}/x/", html="<p>  raw  </p>", **raw))
    assert item.title == clean(raw["title"])
    assert item.teaser == clean(raw["teaser"])
    assert item.body == clean(raw["body"])
    assert item.section == clean(raw["section"])
    assert item.author == clean(raw["author"])
    assert item.tags == [clean(" حلب ")]
    assert item.images == [Image("/a.jpg", alt=clean(" صورة "), caption=None)]
    assert item.related == [RelatedLink(f"{BASE}/x/", anchor=clean(" خبر  آخر "))]
    assert item.html == "<p>  raw  </p>"


def test_url_variants_shortlinks_reposts_and_near_duplicates(tmp_path):
    db_path = tmp_path / "news.db"
    permalink = f"{BASE}/2017/10/21/%d9%85%d8%ad%d9%85%d8%af/"
    body = words(1)
    near_body = " ".join(word if position % 25 else "مختلف" for position, word in enumerate(body.split()))
    page = {"section": "أخبار", "tags": ["حلب"], "related": [RelatedLink(f"{BASE}/2017/10/22/later")]}
    run = crawl(
        db_path,
        article(permalink, body, shortlink_id=41, **page),
        article(permalink.upper().replace("HTTP://127.0.0.1:8123", BASE) + "?utm_source=fb#top", body, **page),
        article(f"{BASE}/?p=41", body, canonical_url=permalink, shortlink_id=41, **page),
        article(f"{BASE}/2017/10/21/%D9%85%D8%AD%D9%85%D8%AF/amp/", body, canonical_url=permalink + "?amp=1",
                **page),
        article(f"{BASE}/2018/01/02/repost/", "  " + body.replace(" ", "  "), shortlink_id=99, title="إعادة نشر"),
        article(f"{BASE}/2017/10/22/later/", near_body, title="خبر مشابه"),
        article(f"{BASE}/2017/10/23/other/", words(2), title="خبر آخر"),
        article(f"{BASE}/2017/10/24/off-site-canonical/", words(3), canonical_url="https://horrya.net/?p=35309"),
    )
    assert (run.stat("items/new"), run.stat("items/unchanged"), run.stat("items/alias"),
            run.stat("items/near_duplicate")) == (4, 3, 1, 1)
    db = read(db_path)
    articles = {row["url"]: dict(row) for row in db.execute("SELECT * FROM articles")}
    assert sorted(articles) == sorted([permalink, f"{BASE}/2017/10/22/later/", f"{BASE}/2017/10/23/other/",
                                       f"{BASE}/2017/10/24/off-site-canonical/"])
    original, near = articles[permalink], articles[f"{BASE}/2017/10/22/later/"]
    assert original["title"] == "عنوان الخبر"  # the re-post did not overwrite it
    assert near["duplicate_of"] == original["id"] and 0.5 <= near["similarity"] < 1
    aliases = dict(db.execute("SELECT url, article_id FROM url_aliases"))
    for url in (permalink, f"{BASE}/?p=41", f"{BASE}/2018/01/02/repost/", f"{BASE}/?p=99"):
        assert aliases[url] == original["id"]
    assert db.execute("SELECT target_article_id FROM related_links").fetchone()[0] == near["id"]
    assert db.execute("SELECT count(*) FROM pages").fetchone()[0] == 6
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []


def test_a_second_run_updates_and_keeps_revisions(tmp_path):
    db_path = tmp_path / "news.db"
    url = f"{BASE}/2017/10/21/a/"
    crawl(db_path, article(url, words(1)), article(f"{BASE}/2017/10/21/b/", words(2)))
    later = FETCHED + timedelta(days=7)
    run = crawl(db_path, article(url, words(1) + " تحديث", fetched_at=later),
                article(f"{BASE}/2017/10/21/b/", words(2), fetched_at=later))
    assert (run.stat("items/new"), run.stat("items/updated"), run.stat("items/unchanged")) == (0, 1, 1)
    db = read(db_path)
    assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == 2
    revision = db.execute("SELECT body, fetched_at, replaced_at FROM revisions").fetchone()
    assert tuple(revision) == (words(1), FETCHED.isoformat(), later.isoformat())
    assert db.execute("SELECT last_seen FROM articles WHERE url = ?", [url]).fetchone()[0] == later.isoformat()


def test_items_are_committed_in_batches(tmp_path):
    db_path = tmp_path / "news.db"
    run = Crawl(db_path, STORE_BATCH_SIZE=2)
    run.feed(*(article(f"{BASE}/2017/10/21/{number}/", words(number)) for number in range(3)))
    assert read(db_path).execute("SELECT count(*) FROM articles").fetchone()[0] == 2
    run.close()
    assert read(db_path).execute("SELECT count(*) FROM articles").fetchone()[0] == 3


def test_without_a_spider_base_url_each_item_is_its_own_base(tmp_path):
    db_path = tmp_path / "news.db"
    crawl(db_path, article("https://www.example.org/2017/10/21/a", words(1)),
          article("https://example.org/2017/10/21/a/?amp=1", words(1)), base_url=None)
    db = read(db_path)
    assert [row[0] for row in db.execute("SELECT url FROM articles")] == ["https://www.example.org/2017/10/21/a/"]


def test_search_through_the_pipelines_folds_arabic(tmp_path):
    db_path = tmp_path / "news.db"
    crawl(db_path, article(f"{BASE}/2017/10/21/a/", "زار اللواء مُحَمَّد باقري هيئة أركان الجيش.",
                           title="مُحَمَّد باقري في حلب"))
    db = store.open_db(db_path)
    assert [row["title"] for row in store.search(db, "محمد")] == ["مُحَمَّد باقري في حلب"]
    assert [row["title"] for row in store.search(db, "اركان")] == ["مُحَمَّد باقري في حلب"]
    db.close()


# --- Against the replica's ground truth ---------------------------------------------------------

REPLICA_ARTICLES = 2000
REPLICA_SEED = 5
VARIANT_EVERY = 10  # every tenth article is also met under each of its URL variants
BROKEN_ITEMS = 5


def truth_item(record: dict, url: str, canonical_url: str | None, urls_by_id: dict[int, str]) -> Article:
    return Article(
        url=url,
        canonical_url=canonical_url,
        shortlink_id=record["id"],
        title=record["title"],
        teaser=record["teaser"],
        body=record["body"],
        images=[Image(**image) for image in record["images"]],
        published_at=datetime.fromisoformat(record["published_at"]),
        modified_at=datetime.fromisoformat(record["modified_at"]),
        section=record["section"],
        tags=record["tags"],
        author=record["author"],
        lang=record["lang"],
        related=[RelatedLink(urls_by_id[target]) for target in record["related"] if target in urls_by_id],
        fetched_at=FETCHED,
        status=200,
        html=f"<html><body>{record['id']}</body></html>",
    )


def repost_urls(record: dict) -> list[str]:
    """The aliases of a truth record that are other posts (exact re-posts), not spellings of its URL."""
    own = canonicalize(record["url"], REPLICA_BASE)
    return [alias for alias in record["aliases"]
            if canonicalize(alias, REPLICA_BASE) != own and shortlink_id(alias) is None]


def items_from_truth(truth: list[dict]) -> list[Article]:
    """What a crawl of the replica yields, newest first as archives list it: every article, its
    re-posts (half of them declaring the original as canonical), URL variants, and broken pages."""
    urls_by_id = {record["id"]: record["url"] for record in truth}
    items = []
    for position, record in enumerate(reversed(truth)):
        for number, repost_url in enumerate(repost_urls(record)):
            repost = truth_item(record, repost_url, record["url"] if number % 2 else None, urls_by_id)
            repost.shortlink_id = None
            repost.published_at = datetime.combine(url_date(repost_url), time(12), tzinfo=UTC)
            items.append(repost)
        items.append(truth_item(record, record["url"], record["url"], urls_by_id))
        if position % VARIANT_EVERY == 0:
            items.extend(truth_item(record, alias, record["url"], urls_by_id) for alias in record["aliases"])
    for record in truth[:BROKEN_ITEMS]:
        items.append(Article(url=record["url"] + "?broken=1", body=record["body"], html="<html>no title</html>"))
    return items


REPLICA_BASE = "http://127.0.0.1:8765"


@pytest.fixture(scope="module")
def replica_crawl(tmp_path_factory):
    truth = build_site(REPLICA_ARTICLES, REPLICA_SEED).truth(REPLICA_BASE)
    db_path = tmp_path_factory.mktemp("replica") / "news.db"
    run = crawl(db_path, *items_from_truth(truth), base_url=REPLICA_BASE)
    return truth, db_path, run


def test_one_row_per_distinct_truth_article_and_every_alias_resolves(replica_crawl):
    truth, db_path, run = replica_crawl
    db = read(db_path)
    assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == len(truth)
    aliases = dict(db.execute("SELECT url, article_id FROM url_aliases"))
    rows = {row["id"]: row for row in db.execute("SELECT id, url, title, published_at, section FROM articles")}
    for record in truth:
        article_id = aliases[canonicalize(record["url"], REPLICA_BASE)]
        row = rows[article_id]
        assert (row["url"], row["title"], row["section"]) == (record["url"], record["title"], record["section"])
        assert row["published_at"] == record["published_at"]
        for alias in record["aliases"]:
            assert aliases[canonicalize(alias, REPLICA_BASE)] == article_id, alias
    assert len({aliases[canonicalize(record["url"], REPLICA_BASE)] for record in truth}) == len(truth)
    assert sum(len(repost_urls(record)) for record in truth) > 0 and run.stat("items/alias") > 0
    assert db.execute("SELECT count(DISTINCT body_hash) = count(*) FROM articles").fetchone()[0] == 1


def test_near_duplicates_found_with_precision_and_recall_above_95_percent(replica_crawl):
    truth, db_path, _ = replica_crawl
    db = read(db_path)
    truth_id_of = {article_id: truth_id for truth_id, article_id in (
        (record["id"], db.execute("SELECT article_id FROM url_aliases WHERE url = ?",
                                  [canonicalize(record["url"], REPLICA_BASE)]).fetchone()[0])
        for record in truth)}
    found = {(truth_id_of[article_id], truth_id_of[original_id]) for article_id, original_id in
             db.execute("SELECT id, duplicate_of FROM articles WHERE duplicate_of IS NOT NULL")}
    expected = {(record["id"], record["duplicate_of"]) for record in truth if record["duplicate_of"]}
    precision = len(found & expected) / len(found)
    recall = len(found & expected) / len(expected)
    print(f"\nnear-duplicates: {len(expected)} in truth, {len(found)} found, "
          f"precision {precision:.3f}, recall {recall:.3f}")
    assert len(expected) >= 30
    assert precision >= 0.95 and recall >= 0.95
    similarities = [row[0] for row in db.execute("SELECT similarity FROM articles WHERE duplicate_of IS NOT NULL")]
    assert all(0.5 <= similarity <= 1 for similarity in similarities)


def test_threshold_separates_near_duplicate_pairs_from_unrelated_candidate_pairs(replica_crawl):
    """Pairwise calibration: every truth near-duplicate pair against every unrelated pair the
    MinHash index proposes as a candidate (the hardest unrelated pairs there are)."""
    truth, db_path, _ = replica_crawl
    db = store.open_db(db_path)
    index = NearDuplicateIndex(db, DEFAULT_NEAR_THRESHOLD, DEFAULT_NUM_PERM)
    by_id = {record["id"]: record for record in truth}
    article_of = {record["id"]: db.execute("SELECT article_id FROM url_aliases WHERE url = ?",
                                           [canonicalize(record["url"], REPLICA_BASE)]).fetchone()[0]
                  for record in truth}
    record_of = {article_id: by_id[truth_id] for truth_id, article_id in article_of.items()}
    near_pairs = {(record["id"], record["duplicate_of"]) for record in truth if record["duplicate_of"]}
    near_scores, unrelated_scores = {}, []
    for record in truth:
        minhash = dedupe.signature(record["body"], DEFAULT_NUM_PERM)
        for match in index.candidates(minhash):
            other = record_of[match.article_id]
            if other["id"] == record["id"]:
                continue
            score = dedupe.text_similarity(record["body"], other["body"])
            if other["story_id"] == record["story_id"]:
                if (record["id"], other["id"]) in near_pairs:
                    near_scores[(record["id"], other["id"])] = score
            else:
                unrelated_scores.append(score)
    db.close()
    true_positives = sum(score >= DEFAULT_MIN_TEXT_SIMILARITY for score in near_scores.values())
    false_positives = sum(score >= DEFAULT_MIN_TEXT_SIMILARITY for score in unrelated_scores)
    precision = true_positives / (true_positives + false_positives)
    recall = true_positives / len(near_pairs)
    print(f"\npairs: {len(near_pairs)} near-duplicate (min in-order similarity "
          f"{min(near_scores.values()):.3f}), {len(unrelated_scores)} unrelated candidates (max "
          f"{max(unrelated_scores):.3f}); threshold {DEFAULT_MIN_TEXT_SIMILARITY}: "
          f"precision {precision:.3f}, recall {recall:.3f}")
    assert precision >= 0.95 and recall >= 0.95


def test_replica_database_is_sound_searchable_and_keeps_rejects(replica_crawl):
    truth, db_path, run = replica_crawl
    db = read(db_path)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    rejects = db.execute("SELECT url, reason FROM rejects ORDER BY id").fetchall()
    assert [tuple(reject) for reject in rejects] == [
        (record["url"] + "?broken=1", "missing title") for record in truth[:BROKEN_ITEMS]]
    assert run.stat("items/rejected") == BROKEN_ITEMS
    unresolved = db.execute("SELECT count(*) FROM related_links WHERE target_article_id IS NULL").fetchone()[0]
    assert unresolved == 0

    search_db = store.open_db(db_path)
    seed = next(record for record in truth if record["title"].startswith("محمد باقري"))
    seed_id = db.execute("SELECT id FROM articles WHERE url = ?", [seed["url"]]).fetchone()[0]
    assert seed_id in [row["id"] for row in store.search(search_db, "محمد باقري", limit=50)]
    assert "أركان" in seed["body"]
    assert seed_id in [row["id"] for row in store.search(search_db, "اركان", limit=5000)]
    vocalised = next(record for record in truth if "النِّظام" in record["body"])
    vocalised_id = db.execute("SELECT id FROM articles WHERE url = ?", [vocalised["url"]]).fetchone()[0]
    assert vocalised_id in [row["id"] for row in store.search(search_db, "النظام", limit=5000)]
    search_db.close()


def test_page_statuses_and_the_sitemap_listing_pass_to_the_store(tmp_path):
    db_path = tmp_path / "news.db"
    url = f"{BASE}/2017/10/21/a/"
    crawl(db_path, article(url, words(1)), article(f"{BASE}/2017/10/21/b/", words(2)))
    later = FETCHED + timedelta(days=3)
    run = crawl(
        db_path,
        PageStatus(url=url, status=304, fetched_at=later),
        PageStatus(url=f"{BASE}/2017/10/21/b/", status=410, fetched_at=later),
        PageStatus(url=f"{BASE}/2017/10/21/never-seen/", status=404, fetched_at=later),
        SitemapListing(sitemap_url=f"{BASE}/wp-sitemap.xml", entries={url: "2017-10-21T12:00:00+00:00"},
                       fetched_at=later),
    )
    assert run.dropped == [] and run.stat("items/rejected") == 0
    db = read(db_path)
    rows = {row["url"]: dict(row) for row in db.execute("SELECT url, last_seen, gone_at FROM articles")}
    assert rows[url] == {"url": url, "last_seen": later.isoformat(), "gone_at": None}
    assert rows[f"{BASE}/2017/10/21/b/"]["gone_at"] == later.isoformat()
    assert [tuple(row) for row in db.execute("SELECT url, lastmod FROM sitemap_urls")] == [
        (url, "2017-10-21T12:00:00+00:00")]
    crawl(db_path, SitemapListing(sitemap_url=f"{BASE}/wp-sitemap.xml", entries={}, fetched_at=later))
    assert read(db_path).execute("SELECT count(*) FROM sitemap_urls").fetchone()[0] == 0
    # Fetched again with content, a gone article is live again.
    crawl(db_path, article(f"{BASE}/2017/10/21/b/", words(2), fetched_at=later + timedelta(days=1)))
    assert read(db_path).execute("SELECT gone_at FROM articles WHERE url = ?",
                                 [f"{BASE}/2017/10/21/b/"]).fetchone()[0] is None


def test_a_repost_declaring_the_original_canonical_never_overwrites_it(tmp_path):
    """The replica's re-posts with rel=canonical: another post (shortlink id) that names the original."""
    permalink = f"{BASE}/2017/10/21/original/"
    body = words(5)
    repost = article(f"{BASE}/2017/12/01/original-2/", body, canonical_url=permalink, shortlink_id=77,
                     title="عنوان الخبر", modified_at=datetime(2017, 12, 1, 9, 0, tzinfo=UTC))
    original = article(permalink, body, shortlink_id=41, modified_at=datetime(2017, 10, 21, 9, 0, tzinfo=UTC))
    for order in ([original, repost], [repost, original]):
        path = tmp_path / f"{len(list(tmp_path.iterdir()))}.db"
        crawl(path, *order)
        rows = [dict(row) for row in read(path).execute("SELECT url, shortlink_id, modified_at FROM articles")]
        assert rows == [{"url": permalink, "shortlink_id": 41, "modified_at": "2017-10-21T09:00:00+00:00"}]
        assert read(path).execute("SELECT count(*) FROM revisions").fetchone()[0] == 0
