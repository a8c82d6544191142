"""Browsing with Datasette: the real server (`scripts/browse.py`) on loopback, through its JSON API and HTML.

Two databases: a crawl of the replica (searches, facets and queries checked against the replica's ground
truth), and a small one written with `crawler.store` that holds the spellings the replica never renders
(«مُحَمَّد» with harakat, «القــوات» with tatweel) next to their plain forms, plus a crawl run and a reject.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sqlite3
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import escape

from crawler.arabic import normalize
from crawler.store import create_article, open_db, record_reject, write_article
from crawler.runs import finish_run, start_run
from support import browsing, crawled

PROJECT = Path(__file__).resolve().parent.parent
BROWSE = PROJECT / "scripts" / "browse.py"
METADATA = yaml.safe_load((PROJECT / "datasette" / "metadata.yaml").read_text(encoding="utf-8"))
STARTUP_SECONDS = 30


def load_plugin(name: str):
    """A plugin module of `datasette/plugins/` (a folder Datasette loads by path, not a package)."""
    spec = importlib.util.spec_from_file_location(name, PROJECT / "datasette" / "plugins" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- shared with test_browser.py ---------------------------------------------------------------------

def article_ids_by_truth_url(db_path: Path) -> dict[str, int]:
    """Every URL the crawl met, to the id of the article stored under it."""
    with sqlite3.connect(db_path) as db:
        return dict(db.execute("select url, article_id from url_aliases"))


# --- fixtures ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def crawled_db(replica_url, tmp_path_factory) -> Path:
    return crawled(replica_url, tmp_path_factory.mktemp("crawl") / "crawl.db")


@pytest.fixture(scope="module")
def crawled_hash(crawled_db) -> str:
    """The crawl database's bytes before any request: browsing must leave them as they are."""
    return hashlib.sha256(crawled_db.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def crawl_site(crawled_db, crawled_hash, tmp_path_factory) -> Iterator[str]:
    with browsing(crawled_db, tmp_path_factory.mktemp("logs") / "crawl.log") as base:
        yield base


@pytest.fixture(scope="module")
def truth_by_id(replica_truth, crawled_db) -> dict[int, dict]:
    """The truth article of each stored article (the one whose URL it is stored under, if several)."""
    ids = article_ids_by_truth_url(crawled_db)
    with sqlite3.connect(crawled_db) as db:
        stored_urls = dict(db.execute("select id, url from articles"))
    by_id: dict[int, dict] = {}
    for article in replica_truth:
        article_id = ids[article["url"]]
        if article_id not in by_id or article["url"] == stored_urls[article_id]:
            by_id[article_id] = article
    return by_id


# Spellings a person types and spellings a page shows: each pair is one word.
FOLDING_PAIRS = [("محمد", "مُحَمَّد"), ("اركان", "أركان"), ("الارهاب", "الإرهاب"), ("القوات", "القــوات")]
# Article i + 1 of the folding database holds the shown spelling of FOLDING_PAIRS[i]; article 5 none.
T0 = datetime(2018, 3, 1, 9, 30, tzinfo=timezone(timedelta(hours=2)))
FOLDING_ARTICLES = [
    (f"https://www.alghadalsoury.com/2018/03/{day:02d}/story-{day}/", title, body)
    for day, (title, body) in enumerate(
        [
            ("لقاء مع مُحَمَّد", "تحدث مُحَمَّد عن الوضع في المدينة."),
            ("اجتماع القيادة", "اجتمع أركان الجيش صباح اليوم."),
            ("ندوة في دمشق", "ناقشت الندوة مكافحة الإرهاب في المنطقة."),
            ("تقدم ميداني", "تقدمت القــوات نحو البلدة."),
            ("Statement in English", "Plain English text about the weather."),
        ],
        start=1,
    )
]
REVISED_AT = T0 + timedelta(days=10)
RUN_STARTED = datetime(2018, 3, 10, 4, 0, tzinfo=UTC)
REJECT_REASON = "no title"


@pytest.fixture(scope="module")
def folding_db(tmp_path_factory) -> Path:
    """A database written with `crawler.store`: one article per shown spelling (the first revised later),
    one crawl run and one reject."""
    path = tmp_path_factory.mktemp("folding") / "folding.db"
    db = open_db(path)
    for day, (url, title, body) in enumerate(FOLDING_ARTICLES, start=1):
        published = T0 + timedelta(days=day)
        article_id = create_article(db, url, f"hash-{day}", normalize(body), published)
        assert article_id == day
        item = {"url": url, "title": title, "body": body, "published_at": published, "modified_at": published,
                "fetched_at": published, "section": "أخبار", "lang": "en" if title.isascii() else "ar"}
        write_article(db, article_id, item, None)
    first_url, first_title, first_body = FOLDING_ARTICLES[0]
    write_article(db, 1, {"url": first_url, "title": first_title, "body": first_body + " وأضاف تفاصيل جديدة.",
                          "published_at": T0 + timedelta(days=1), "modified_at": T0 + timedelta(days=1),
                          "fetched_at": REVISED_AT, "section": "أخبار", "lang": "ar"}, None)
    run_id = start_run(db, RUN_STARTED, "alghad", "incremental", "https://www.alghadalsoury.com")
    finish_run(db, run_id, {"finished_at": (RUN_STARTED + timedelta(minutes=5)).isoformat(), "status": "healthy",
                            "requests": 40, "new": 5, "failed": 0, "items": 5,
                            "coverage": {"published_at": 100.0, "author": 20.0}, "health_reasons": []})
    record_reject(db, {"url": "https://www.alghadalsoury.com/broken/", "status": 200, "html": "<html></html>"},
                  REJECT_REASON, RUN_STARTED + timedelta(minutes=1))
    db.conn.commit()
    db.conn.close()
    return path


@pytest.fixture(scope="module")
def folding_site(folding_db, tmp_path_factory) -> Iterator[str]:
    with browsing(folding_db, tmp_path_factory.mktemp("logs") / "folding.log") as base:
        yield base


def get_json(url: str, **params) -> dict | list:
    response = httpx.get(url, params=params, timeout=20)
    assert response.status_code == 200, response.text[:500]
    return response.json()


def searched_ids(base: str, query: str) -> set[int]:
    rows = get_json(f"{base}/news/articles.json", _search=query, _shape="array", _col="id", _size="max")
    return {row["id"] for row in rows}


# --- the search plugin as a function -------------------------------------------------------------------

arabic_search = load_plugin("arabic_search")


@pytest.mark.parametrize(
    ("typed", "match"),
    [
        ("مُحَمَّد", '"محمد"'),
        ("أركان الجيش", '"اركان" "الجيش"'),
        ("القــوات", '"القوات"'),
        ('"الإرهاب" OR', '"الارهاب" "or"'),
        ("؟!", '""'),
        (None, None),
    ],
)
def test_folded_fts_query_folds_then_quotes_each_term(typed, match):
    assert arabic_search.folded_fts_query(typed) == match


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from('مُحَمَّدأإآركانـة ى"*-:()^ ORANDnot\t\n?؟،'), max_size=30))
def test_any_typed_text_is_a_valid_match_expression(typed):
    """Whatever a person types, FTS5 accepts the folded query (no syntax error page)."""
    db = sqlite3.connect(":memory:")
    db.execute("create virtual table docs using fts5(text, tokenize='unicode61 remove_diacritics 2')")
    db.execute("insert into docs values ('محمد اركان القوات')")
    db.execute("select count(*) from docs where docs match ?", [arabic_search.folded_fts_query(typed)])


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=30))
def test_folding_ignores_spelling_variants(typed):
    assert arabic_search.folded_fts_query(typed) == arabic_search.folded_fts_query(normalize(typed))


# --- search through the server -------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("typed", "article_id"),
    [(typed, number) for number, pair in enumerate(FOLDING_PAIRS, start=1) for typed in pair],
)
def test_search_finds_every_spelling_of_a_word(folding_site, typed, article_id):
    """«محمد» finds «مُحَمَّد», «اركان» «أركان», «الارهاب» «الإرهاب», «القوات» «القــوات» (and each finds itself),
    in the table search and in the ready search query."""
    assert searched_ids(folding_site, typed) == {article_id}
    rows = get_json(f"{folding_site}/news/search.json", q=typed, _shape="array")
    assert [row["id"] for row in rows] == [article_id]


@pytest.mark.parametrize("typed", [word for pair in FOLDING_PAIRS for word in pair])
def test_search_of_the_crawl_matches_the_truth(crawl_site, crawled_db, replica_truth, typed):
    """Every article whose title or body holds the word in any spelling, and no other."""
    ids = article_ids_by_truth_url(crawled_db)
    word = normalize(typed)
    expected = {ids[article["url"]] for article in replica_truth
                if word in normalize(f"{article['title']}\n{article['body']}").split()}
    assert expected, f"the replica has no article with {typed}"
    assert searched_ids(crawl_site, typed) == expected


def test_search_box_keeps_what_was_typed(folding_site):
    page = httpx.get(f"{folding_site}/news/articles", params={"_search": "مُحَمَّد"}, timeout=20).text
    assert 'value="مُحَمَّد"' in page
    assert "لقاء مع مُحَمَّد" in page


# --- facets, sort, metadata ----------------------------------------------------------------------------

def test_articles_are_newest_first(crawl_site):
    rows = get_json(f"{crawl_site}/news/articles.json", _shape="array", _col="published_at", _size=100)
    dates = [row["published_at"] for row in rows]
    assert dates == sorted(dates, reverse=True)


def test_default_facets_count_sections_and_tags_as_in_the_truth(crawl_site, truth_by_id):
    facets = get_json(f"{crawl_site}/news/articles.json", _size=0, _facet_size="max")["facet_results"]
    sections = {value["value"]: value["count"] for value in facets["section"]["results"]}
    assert sections == Counter(article["section"] for article in truth_by_id.values())
    tags = {value["value"]: value["count"] for value in facets["article_tags.tag"]["results"]}
    assert tags == Counter(tag for article in truth_by_id.values() for tag in set(article["tags"]))


def test_month_and_author_facets_count_the_stored_rows(crawl_site, crawled_db):
    facets = get_json(f"{crawl_site}/news/articles.json", _size=0, _facet_size="max")["facet_results"]
    with sqlite3.connect(crawled_db) as db:
        months = dict(db.execute("select substr(published_at, 1, 7), count(*) from articles group by 1"))
        authors = dict(db.execute("select author, count(*) from articles where author is not null group by 1"))
    month_values = [value["value"] for value in facets["published_at"]["results"]]
    assert month_values == sorted(months, reverse=True)
    assert {value["value"]: value["count"] for value in facets["published_at"]["results"]} == months
    assert {value["value"]: value["count"] for value in facets["author"]["results"]} == authors


@pytest.mark.parametrize("facet", ["published_at", "article_tags.tag"])
def test_choosing_a_facet_value_filters_to_its_count(crawl_site, facet):
    results = get_json(f"{crawl_site}/news/articles.json", _size=0)["facet_results"][facet]["results"]
    chosen = results[0]
    filtered = httpx.get(chosen["toggle_url"].replace("/news/articles?", "/news/articles.json?"), timeout=20).json()
    assert filtered["filtered_table_rows_count"] == chosen["count"]
    again = {value["value"]: value for value in filtered["facet_results"][facet]["results"]}
    assert again[chosen["value"]]["selected"] is True


def test_metadata_names_source_licence_and_both_languages(crawl_site):
    metadata = get_json(f"{crawl_site}/-/metadata.json")
    assert "الغد السوري" in metadata["title"] and "Al-Ghad Al-Souri" in metadata["title"]
    assert metadata["source_url"] == "https://www.alghadalsoury.com/"
    assert "Apache-2.0" in metadata["license"]
    table = get_json(f"{crawl_site}/news/articles.json", _size=0)
    columns = metadata["databases"]["news"]["tables"]["articles"]["columns"]
    assert set(columns) == set(table["columns"])


# --- canned queries ------------------------------------------------------------------------------------

def test_every_ready_query_is_listed_and_read_only(crawl_site):
    queries = {query["name"]: query for query in get_json(f"{crawl_site}/news.json")["queries"]}
    assert set(queries) == set(METADATA["databases"]["news"]["queries"])
    assert not any(query.get("write") for query in queries.values())


def test_latest_articles_are_the_newest_originals(crawl_site, crawled_db):
    rows = get_json(f"{crawl_site}/news/latest_articles.json", _shape="array")
    with sqlite3.connect(crawled_db) as db:
        expected = [row[0] for row in db.execute(
            "select id from articles where duplicate_of is null order by published_at desc limit 50")]
    assert [row["id"] for row in rows] == expected


def test_one_article_comes_with_its_images_tags_related_links_and_revisions(crawl_site, truth_by_id):
    article_id, truth = next((article_id, article) for article_id, article in truth_by_id.items()
                             if article["tags"] and article["images"] and article["related"])
    (row,) = get_json(f"{crawl_site}/news/article.json", id=article_id, _shape="array")
    assert row["title"] == truth["title"]
    assert [image["caption"] for image in json.loads(row["images"])] == [i["caption"] for i in truth["images"]]
    assert json.loads(row["tags"]) == sorted(set(truth["tags"]))
    assert len(json.loads(row["related_links"])) == len(truth["related"])
    assert json.loads(row["revisions"]) == []


def test_near_duplicate_clusters_follow_the_truth(crawl_site, crawled_db, replica_truth):
    ids = article_ids_by_truth_url(crawled_db)
    url_of_truth_id = {article["id"]: article["url"] for article in replica_truth}
    expected: dict[int, set[int]] = {}
    for article in replica_truth:
        if article["duplicate_of"] is not None:
            original = ids[url_of_truth_id[article["duplicate_of"]]]
            expected.setdefault(original, set()).add(ids[article["url"]])
    rows = get_json(f"{crawl_site}/news/near_duplicates.json", _shape="array")
    assert {row["id"]: {copy["id"] for copy in json.loads(row["cluster"])} for row in rows} == expected
    assert all(row["copies"] == len(json.loads(row["cluster"])) for row in rows)


def test_updated_since_lists_articles_modified_or_revised_at_or_after(folding_site):
    """Articles 4 and 5 were modified on days 4 and 5; article 1 was revised on day 10."""
    since = (T0 + timedelta(days=4)).isoformat()
    rows = get_json(f"{folding_site}/news/updated_since.json", since=since, _shape="array")
    assert {row["id"]: row["earlier_versions"] for row in rows} == {1: 1, 4: 0, 5: 0}
    later = (REVISED_AT + timedelta(seconds=1)).isoformat()
    assert get_json(f"{folding_site}/news/updated_since.json", since=later, _shape="array") == []


def test_crawl_health_reports_each_run(folding_site):
    (run,) = get_json(f"{folding_site}/news/crawl_health.json", _shape="array")
    assert run["status"] == "healthy"
    assert run["seconds"] == 300
    assert (run["requests"], run["new"], run["failed"]) == (40, 5, 0)
    assert (run["dated_pct"], run["author_pct"]) == (100.0, 20.0)
    assert run["health_reasons"] == "[]"


def test_rejects_are_grouped_by_reason(folding_site):
    rows = get_json(f"{folding_site}/news/rejects.json", _shape="array")
    assert rows == [{"reason": REJECT_REASON, "pages": 1,
                     "latest": (RUN_STARTED + timedelta(minutes=1)).isoformat(),
                     "latest_url": "https://www.alghadalsoury.com/broken/"}]


# --- chart ---------------------------------------------------------------------------------------------

def test_dashboard_charts_articles_per_month_by_section(crawl_site, crawled_db):
    assert httpx.get(f"{crawl_site}/-/dashboards/news-overview", timeout=20).status_code == 200
    chart = METADATA["plugins"]["datasette-dashboards"]["news-overview"]["charts"]["articles-over-time"]
    rows = get_json(f"{crawl_site}/news.json", sql=chart["query"], _shape="array")
    with sqlite3.connect(crawled_db) as db:
        expected = Counter((published[:7], section) for published, section
                           in db.execute("select published_at, section from articles where published_at is not null"))
    assert {(row["month"], row["section"]): row["articles"] for row in rows} == expected


# --- pages ---------------------------------------------------------------------------------------------

def test_article_page_reads_right_to_left_with_captions_and_paragraphs(crawl_site, truth_by_id):
    article_id, truth = next((article_id, article) for article_id, article in truth_by_id.items()
                             if article["lang"] == "ar" and article["captions"])
    page = httpx.get(f"{crawl_site}/news/articles/{article_id}", timeout=20).text
    assert '<article class="alghad-article" lang="ar" dir="rtl">' in page
    assert f"<h1>{escape(truth['title'])}</h1>" in page
    assert f"<figcaption>{escape(truth['captions'][0])}</figcaption>" in page
    for paragraph in truth["body"].split("\n\n"):
        assert f"<p>{escape(paragraph)}</p>" in page


def test_english_article_page_stays_left_to_right(crawl_site, truth_by_id):
    article_id = next(article_id for article_id, article in truth_by_id.items() if article["lang"] == "en")
    page = httpx.get(f"{crawl_site}/news/articles/{article_id}", timeout=20).text
    assert '<article class="alghad-article" lang="en" dir="ltr">' in page


def test_table_cells_carry_language_and_direction(folding_site):
    page = httpx.get(f"{folding_site}/news/articles", timeout=20).text
    assert '<div lang="ar" dir="rtl">لقاء مع مُحَمَّد</div>' in page
    assert '<div lang="en" dir="ltr">Statement in English</div>' in page
    assert f'href="{FOLDING_ARTICLES[0][0]}"' in page


def test_url_cells_show_the_decoded_slug():
    article_pages = load_plugin("article_pages")
    url = "https://www.alghadalsoury.com/2018/03/01/" + quote("مقتل-28-مدنيا") + "/"
    assert article_pages.url_html(url) == (
        f'<a class="alghad-url" dir="ltr" href="{url}">https://www.alghadalsoury.com/2018/03/01/مقتل-28-مدنيا/</a>')


# --- read-only -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "sql",
    [
        "insert into sections (name) values ('x')",
        "delete from articles",
        "update articles set title = 'x'",
        "drop table articles",
        "pragma journal_mode = delete",
    ],
)
def test_writing_sql_is_refused(crawl_site, sql):
    response = httpx.get(f"{crawl_site}/news.json", params={"sql": sql}, timeout=20)
    assert response.status_code == 400
    assert response.json()["ok"] is False


def test_browsing_leaves_the_database_file_unchanged(crawl_site, crawled_db, crawled_hash):
    """Runs last in this module: after every request above, the file has not changed by a byte."""
    httpx.get(f"{crawl_site}/news/articles", params={"_search": "القوات"}, timeout=20)
    assert hashlib.sha256(crawled_db.read_bytes()).hexdigest() == crawled_hash
