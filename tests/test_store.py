"""The SQLite store: schema, article writes and revisions, aliases, related links, pages, rejects, search."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta, timezone

import pytest
from itemadapter import ItemAdapter

from crawler import store
from crawler.items import Article, Image, RelatedLink

DAMASCUS = timezone(timedelta(hours=3))
FETCHED = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
BASE = "http://127.0.0.1:8123"


def article(url: str = f"{BASE}/2017/10/21/a/", **fields) -> ItemAdapter:
    defaults = {
        "title": "مُحَمَّد باقري في حلب",
        "teaser": "زيارة تفقدية...",
        "body": "أجرى رئيس هيئة أركان القوات المسلحة الإيرانية زيارة تفقدية.",
        "published_at": datetime(2017, 10, 21, 14, 5, tzinfo=DAMASCUS),
        "section": "أخبار",
        "tags": ["إيران", "حلب"],
        "images": [Image("/img/1.jpg", alt="باقري", caption="اللواء محمد باقري في حلب")],
        "related": [RelatedLink(f"{BASE}/2017/10/20/b", anchor="خبر آخر")],
        "fetched_at": FETCHED,
        "status": 200,
        "html": "<html><body>صفحة</body></html>",
        "provenance": {"title": "json-ld", "published_at": "meta"},
        "lang": "ar",
    }
    return ItemAdapter(Article(url=url, **{**defaults, **fields}))


def stored_article(db, item: ItemAdapter, url: str | None = None) -> int:
    url = url or item["url"]
    article_id = store.create_article(db, url, "hash-" + url, "", item["fetched_at"])
    store.record_aliases(db, article_id, [url], item["fetched_at"])
    return article_id


@pytest.fixture
def db(tmp_path):
    database = store.open_db(tmp_path / "sub" / "news.db")
    yield database
    database.close()


def test_open_db_configures_wal_foreign_keys_busy_timeout_and_schema(db, tmp_path):
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] == 30_000
    assert {"articles", "url_aliases", "sections", "article_tags", "images", "related_links", "pages",
            "revisions", "crawl_runs", "rejects", "failures", "articles_fts"} <= set(db.table_names())
    assert {"url", "title", "teaser", "body", "published_at", "modified_at", "section", "author", "lang",
            "word_count", "duplicate_of", "similarity", "first_seen", "last_seen", "provenance"} <= set(
        db["articles"].columns_dict)
    indexed = {tuple(index.columns) for index in db["articles"].indexes}
    assert {("url",), ("published_at",), ("section",), ("duplicate_of",)} <= indexed
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    store.ensure_schema(db)  # a second run changes nothing and does not fail
    assert (tmp_path / "sub" / "news.db").exists()


def test_article_url_is_unique(db):
    store.create_article(db, f"{BASE}/x/", "h1", "", FETCHED)
    with pytest.raises(sqlite3.IntegrityError):
        store.create_article(db, f"{BASE}/x/", "h2", "", FETCHED)


def test_foreign_keys_are_enforced(db):
    with pytest.raises(sqlite3.IntegrityError):
        store.record_aliases(db, 999, [f"{BASE}/nowhere/"], FETCHED)


def test_write_article_stores_every_field_and_its_children(db):
    item = article()
    article_id = stored_article(db, item)
    assert store.write_article(db, article_id, item, BASE) == "new"
    row = db["articles"].get(article_id)
    assert row["title"] == "مُحَمَّد باقري في حلب"
    assert row["title_search"] == "محمد باقري في حلب"
    assert row["published_at"] == "2017-10-21T14:05:00+03:00"
    assert row["section"] == "أخبار" and db["sections"].get("أخبار")
    assert row["word_count"] == 9
    assert json.loads(row["provenance"]) == {"title": "json-ld", "published_at": "meta"}
    assert row["last_seen"] == FETCHED.isoformat()
    assert [r["tag"] for r in db["article_tags"].rows_where(order_by="tag")] == ["إيران", "حلب"]
    assert list(db["images"].rows) == [{"article_id": article_id, "position": 0, "src": "/img/1.jpg",
                                        "alt": "باقري", "caption": "اللواء محمد باقري في حلب"}]
    assert list(db["related_links"].rows) == [{"article_id": article_id, "position": 0,
                                               "url": f"{BASE}/2017/10/20/b/", "anchor": "خبر آخر",
                                               "target_article_id": None}]


def test_unchanged_and_updated_articles_and_revisions(db):
    first = article()
    article_id = stored_article(db, first)
    store.write_article(db, article_id, first, BASE)
    later = FETCHED + timedelta(days=1)
    assert store.write_article(db, article_id, article(fetched_at=later, tags=["حلب"]), BASE) == "unchanged"
    assert db["revisions"].count == 0
    assert [r["tag"] for r in db["article_tags"].rows] == ["حلب"]

    edited = article(body="نص معدل بالكامل.", fetched_at=later + timedelta(days=1),
                     modified_at=datetime(2017, 10, 22, tzinfo=DAMASCUS))
    assert store.write_article(db, article_id, edited, BASE) == "updated"
    (revision,) = db["revisions"].rows
    assert revision["article_id"] == article_id
    assert revision["body"] == first["body"]
    assert revision["fetched_at"] == later.isoformat()
    assert revision["replaced_at"] == (later + timedelta(days=1)).isoformat()
    assert db["articles"].get(article_id)["body"] == "نص معدل بالكامل."


def test_related_links_resolve_when_their_target_arrives(db):
    source = article()
    source_id = stored_article(db, source)
    store.write_article(db, source_id, source, BASE)
    target_id = stored_article(db, article(url=f"{BASE}/2017/10/20/b/"))
    assert db["related_links"].get((source_id, 0))["target_article_id"] == target_id
    # A link written after its target is known resolves at once.
    store.write_article(db, target_id, article(url=f"{BASE}/2017/10/20/b/",
                                               related=[RelatedLink(f"{BASE}/2017/10/21/a")]), BASE)
    assert db["related_links"].get((target_id, 0))["target_article_id"] == source_id


def test_article_id_lookups(db):
    item = article()
    article_id = stored_article(db, item)
    store.record_aliases(db, article_id, [f"{BASE}/?p=7", item["url"]], FETCHED)
    assert store.article_id_for_urls(db, [f"{BASE}/?p=7"]) == article_id
    assert store.article_id_for_urls(db, [f"{BASE}/unknown/"]) is None
    assert store.article_id_for_body_hash(db, "hash-" + item["url"]) == article_id
    assert store.article_id_for_body_hash(db, "other") is None


def test_pages_keep_the_latest_html_compressed(db):
    item = article(etag='"abc"')
    article_id = stored_article(db, item)
    store.save_page(db, item["url"], article_id, item)
    store.save_page(db, item["url"], article_id, article(html="<html>جديد</html>", status=200))
    (page,) = db["pages"].rows
    assert store.decompress(page["html_zlib"]) == "<html>جديد</html>"
    assert page["status"] == 200 and page["fetched_at"] == FETCHED.isoformat()


def test_compress_round_trip_shrinks_arabic_html():
    html = "<p>أجرى رئيس هيئة أركان القوات المسلحة الإيرانية زيارة</p>" * 50
    blob = store.compress(html)
    assert store.decompress(blob) == html
    assert len(blob) < len(html.encode("utf-8")) / 5


def test_rejects_keep_reason_and_page(db):
    broken = ItemAdapter(Article(url=f"{BASE}/2017/10/21/broken/", html="<html>broken</html>", status=200))
    store.record_reject(db, broken, "missing title, body", FETCHED)
    (reject,) = db["rejects"].rows
    assert reject["url"] == f"{BASE}/2017/10/21/broken/"
    assert reject["reason"] == "missing title, body"
    assert reject["rejected_at"] == FETCHED.isoformat()
    assert store.decompress(reject["html_zlib"]) == "<html>broken</html>"


@pytest.mark.parametrize(
    ("query", "finds"),
    [
        ("محمد", True),
        ("مُحَمَّد", True),
        ("اركان", True),
        ("أركان", True),
        ("باقري", True),
        ("الإيرانية", True),
        ("دمشق", False),
        ('"unbalanced', False),
    ],
)
def test_search_folds_arabic_spellings(db, query, finds):
    item = article()
    article_id = stored_article(db, item)
    store.write_article(db, article_id, item, BASE)
    assert ([row["id"] for row in store.search(db, query)] == [article_id]) is finds


def test_search_index_follows_updates(db):
    item = article()
    article_id = stored_article(db, item)
    store.write_article(db, article_id, item, BASE)
    store.write_article(db, article_id, article(title="عنوان جديد", body="دمشق اليوم."), BASE)
    assert store.search(db, "باقري") == []
    assert [row["id"] for row in store.search(db, "دمشق")] == [article_id]


def test_batches_commit_every_batch_size_items(db, tmp_path):
    batches = store.Batches(db, batch_size=3)
    reader = sqlite3.connect(tmp_path / "sub" / "news.db")
    for number in range(5):
        batches.begin()
        store.create_article(db, f"{BASE}/{number}/", f"h{number}", "", FETCHED)
        batches.item_done()
    assert reader.execute("SELECT count(*) FROM articles").fetchone()[0] == 3
    batches.commit()
    assert reader.execute("SELECT count(*) FROM articles").fetchone()[0] == 5
    reader.close()


def test_an_open_batch_is_lost_whole_on_a_crash(tmp_path):
    path = tmp_path / "news.db"
    db = store.open_db(path)
    batches = store.Batches(db, batch_size=10)
    batches.begin()
    store.create_article(db, f"{BASE}/lost/", "h", "", FETCHED)
    db.conn.close()  # the process dies before the batch is full
    assert store.open_db(path)["articles"].count == 0


@pytest.mark.parametrize("previous, current, revision", [
    ({"title": "أ", "body": "ب", "modified_at": None}, {"title": "أ", "body": "ب", "modified_at": None}, False),
    ({"title": "أ", "body": "ب", "modified_at": None}, {"title": "أ", "body": "ج", "modified_at": None}, True),
    ({"title": "أ", "body": "ب", "modified_at": None}, {"title": "د", "body": "ب", "modified_at": None}, True),
    ({"title": "أ", "body": "ب", "modified_at": "2017-10-21T10:15:00+03:00"},
     {"title": "أ", "body": "ب", "modified_at": "2017-10-22T10:15:00+03:00"}, True),
    # An earlier modification time with the same text: the original taking over from a re-post.
    ({"title": "أ", "body": "ب", "modified_at": "2017-12-08T22:10:00+02:00"},
     {"title": "أ", "body": "ب", "modified_at": "2017-11-25T11:51:00+02:00"}, False),
    # The same moment written with another offset is no change.
    ({"title": "أ", "body": "ب", "modified_at": "2017-10-21T10:15:00+03:00"},
     {"title": "أ", "body": "ب", "modified_at": "2017-10-21T07:15:00+00:00"}, False),
])
def test_what_counts_as_a_revision(previous, current, revision):
    assert store.is_revision(previous, current) is revision


def test_failures_count_attempts_keep_the_latest_reason_and_leave_when_cleared(db):
    url = f"{BASE}/2017/10/21/a/"
    later = FETCHED + timedelta(days=1)
    store.record_failure(db, url, "http_503", FETCHED)
    store.record_failure(db, url, "TimeoutError", later)
    store.record_failure(db, f"{BASE}/?p=7", "http_500", FETCHED)
    assert list(db.query("select * from failures order by url")) == [
        {"url": f"{BASE}/2017/10/21/a/", "reason": "TimeoutError", "attempts": 2, "last_tried": later.isoformat()},
        {"url": f"{BASE}/?p=7", "reason": "http_500", "attempts": 1, "last_tried": FETCHED.isoformat()},
    ]
    store.clear_failure(db, url)
    store.clear_failure(db, f"{BASE}/never-failed/")
    assert [row["url"] for row in db.query("select url from failures")] == [f"{BASE}/?p=7"]


@pytest.mark.parametrize("make_path, cause", [
    (lambda tmp: (tmp / "file").write_text("") or tmp / "file" / "news.db", "file is a file, not a directory"),
    (lambda tmp: (tmp / "file").write_text("") or tmp / "file" / "deeper" / "news.db", "file is a file, not a directory"),
    (lambda tmp: tmp, "unable to open database file"),
])
def test_a_path_that_cannot_hold_the_database_is_a_storage_error_naming_it(tmp_path, make_path, cause):
    path = make_path(tmp_path)
    with pytest.raises(store.StorageError) as raised:
        store.open_db(path)
    message = str(raised.value)
    assert message.startswith(f"NEWS_DB {path} cannot be written: ") and message.endswith(cause)
    assert "\n" not in message
