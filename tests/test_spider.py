"""The alghad spider end to end: real `scrapy crawl` over real HTTP against the replica, both themes.

Expectations come from the replica's ground truth: every live article found (those reachable only through a
related-news block included), every field equal to truth, no page fetched twice, nothing off-site, robots.txt
obeyed.
"""

from urllib.parse import urlsplit
from urllib.request import urlopen
from urllib.robotparser import RobotFileParser

import pytest

import replica
from replica.testing import running
from support import compare_with_truth, crawl, rows

ARTICLES = 300
SEED = 11
FIELDS = ("title", "body", "section", "tags", "author", "captions", "published_at", "modified_at", "lang")


@pytest.fixture(scope="module", params=["classic", "magazine"])
def crawled(request, tmp_path_factory):
    """One crawl of a 300-article replica in the given theme, with its truth."""
    theme = request.param
    with running(articles=ARTICLES, seed=SEED, theme=theme) as base_url:
        result = crawl(base_url, tmp_path_factory.mktemp(theme) / "news.db")
        robots = urlopen(base_url + "/robots.txt").read().decode()
    truth = replica.build_site(ARTICLES, SEED).truth(base_url, theme)
    assert result.returncode == 0, result.log[-3000:]
    return truth, result, base_url, robots


def test_every_truth_article_is_found(crawled):
    truth, result, _, _ = crawled
    comparison = compare_with_truth(truth, result.db_path)
    assert comparison.missing == []
    hidden = [t for t in truth if t["reachable_only_via_related"]]
    assert hidden, "the replica must hide some articles behind related-news links"
    assert comparison.checked == sum(1 for t in truth if t["status"] == "live")


def test_every_field_equals_truth(crawled):
    truth, result, _, _ = crawled
    comparison = compare_with_truth(truth, result.db_path)
    for name in FIELDS:
        assert comparison.mismatches.get(name, [])[:3] == [], name


def test_dates_come_from_the_page_not_from_related_items(crawled):
    truth, result, _, _ = crawled
    stored = {row["url"]: row for row in rows(result.db_path, "select url, published_at, provenance from articles")}
    url_only = [t for t in truth if t["date_sources"] == ["url"] and t["url"] in stored]
    assert url_only, "the replica must have pages whose only date is in the URL"
    for article in url_only:
        assert '"published_at": "url"' in stored[article["url"]]["provenance"]


def test_modified_time_is_known_for_every_article(crawled):
    truth, result, _, _ = crawled
    assert rows(result.db_path, "select url from articles where modified_at is null") == []


def test_no_page_is_fetched_twice(crawled):
    _, result, _, _ = crawled
    urls = result.crawled_urls()
    assert len(urls) > ARTICLES
    assert len(urls) == len(set(urls))


def test_the_crawl_never_leaves_the_site(crawled):
    _, result, base_url, _ = crawled
    host = urlsplit(base_url).netloc
    assert {urlsplit(url).netloc for url in result.crawled_urls()} == {host}


def test_nothing_robots_txt_disallows_is_fetched(crawled):
    _, result, _, robots = crawled
    parser = RobotFileParser()
    parser.parse(robots.splitlines())
    assert "Disallow: /print/" in robots
    disallowed = [url for url in result.crawled_urls() if not parser.can_fetch("*", url)]
    assert disallowed == []


def test_requests_robots_txt_forbids_are_refused(tmp_path):
    """Crawling from a disallowed path: the robots.txt middleware refuses every start request."""
    with running(articles=20, seed=SEED) as base_url:
        result = crawl(base_url + "/print", tmp_path / "news.db")
    assert result.returncode == 0
    assert [urlsplit(url).path for url in result.crawled_urls()] == ["/robots.txt"]
    assert "'robotstxt/forbidden': 3" in result.log


def test_every_request_outcome_is_counted(crawled):
    _, result, _, _ = crawled
    for stat in ("discovery/found/section", "discovery/found/related", "discovery/found/sitemap-entry",
                 "discovery/skipped/excluded", "pages/article", "pages/listing",
                 "dupefilter/filtered", "item_scraped_count"):
        assert f"'{stat}':" in result.log, stat


def test_bad_base_url_is_a_clear_error(tmp_path):
    result = crawl("not-a-url", tmp_path / "news.db")
    assert result.returncode != 0
    assert "base_url must be an http(s) URL" in result.log
