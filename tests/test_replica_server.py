"""The replica over real HTTP: pages agree with the truth (both themes), URL variants, archives,
feeds and sitemaps, conditional GETs, robots.txt, traps, determinism, epochs and start-up time.

The reader's view of a page (`reader_text`, the date formats) is written here independently of
the replica's code: it is the tests' own statement of what the pages must mean.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
import time
import unicodedata
from urllib.parse import urljoin

import lxml.html
import pytest

from replica.model import SECTIONS, build_site
from replica.testing import PROJECT_ROOT, fetch, running

STANDARD_MONTHS = ("يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر")
LEVANTINE_MONTHS = ("كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران", "تموز", "آب", "أيلول", "تشرين الأول", "تشرين الثاني", "كانون الأول")
INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\u0640]")
PRESENTATION_FORMS = re.compile("[\ufb50-\ufdff\ufe70-\ufefe]")
# Where each theme puts things (the crawler must not need these; the tests do).
SELECTORS = {
    "classic": {"title": "//h1[@class='entry-title']", "body": "//div[contains(@class,'entry-content')]/p",
                "featured_caption": "//figure[contains(@class,'post-thumbnail')]//figcaption",
                "date_line": "//span[@class='posted-on']", "related": "//div[@class='related-posts']//a",
                "listing_links": "//main//article//h2/a"},
    "magazine": {"title": "//h1[contains(@class,'post-title')]", "body": "//div[contains(@class,'post-text')]/p",
                 "featured_caption": "//div[contains(@class,'featured-area')]/p[@class='caption']",
                 "date_line": "//div[contains(@class,'post-meta')]//span[contains(@class,'tie-date')]", "related": "//div[contains(@class,'jeg_related_posts')]//a",
                 "listing_links": "//div[contains(@class,'jeg_archive')]//h3/a"},
}


def reader_text(text: str) -> str:
    """What a reader reads: entities decoded, invisible marks, tatweel and presentation forms
    undone, single spaces, no space before ، ؛ ؟ ."""
    text = html.unescape(text)
    text = PRESENTATION_FORMS.sub(lambda match: unicodedata.normalize("NFKC", match.group(0)), text)
    text = unicodedata.normalize("NFC", INVISIBLE.sub("", text))
    text = re.sub(r"\s+", " ", text).strip()
    return re.sub(r" ([،؛؟.])", r"\1", text)


def parse(body: bytes):
    return lxml.html.fromstring(body.decode("utf-8"))


def texts(tree, xpath: str) -> list[str]:
    return [reader_text(node.text_content()) for node in tree.xpath(xpath)]


def wordpress_date(iso_value: str) -> str:
    year, month, day = int(iso_value[:4]), int(iso_value[5:7]), int(iso_value[8:10])
    return f"{day} {STANDARD_MONTHS[month - 1]}، {year}"


def magazine_date_time_lines(iso_value: str) -> tuple[str, str]:
    """The two forms a magazine page without machine-readable dates may show, to the minute."""
    year, month, day = int(iso_value[:4]), int(iso_value[5:7]), int(iso_value[8:10])
    hour, minute = int(iso_value[11:13]), int(iso_value[14:16])
    half = "ص" if hour < 12 else "م"
    weekdays = ("الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد")
    from datetime import date

    weekday = weekdays[date(year, month, day).weekday()]
    levantine = f"{weekday} {day} {LEVANTINE_MONTHS[month - 1]} {year} - {hour % 12 or 12}:{minute:02d} {half}"
    numeric = f"نُشر في: {day:02d}/{month:02d}/{year} {hour:02d}:{minute:02d}"
    return levantine, numeric


def url_to_id(truth: list[dict]) -> dict[str, int]:
    """Every URL that serves a distinct article (canonical and aliases) → its id."""
    mapping = {}
    for record in truth:
        for url in [record["url"], *record["aliases"]]:
            mapping[url] = record["id"]
    return mapping


def sample(truth: list[dict], every: int = 9) -> list[dict]:
    """Every n-th article plus one of each kind worth checking."""
    chosen = {r["id"]: r for r in truth[::every]}
    picks = [
        lambda r: r["reachable_only_via_related"], lambda r: r["duplicate_of"], lambda r: r["lang"] == "en",
        lambda r: r["author"], lambda r: r["tags"], lambda r: r["teaser"] is None,
        lambda r: r["title"].startswith("محمد باقري"), lambda r: len(r["images"]) > 1,
    ] + [lambda r, s=sources: tuple(r["date_sources"]) == s for sources in {tuple(r["date_sources"]) for r in truth}]
    for pick in picks:
        record = next(r for r in truth if pick(r))
        chosen[record["id"]] = record
    return [r for r in chosen.values() if r["status"] == "live"]


def check_article_page(record: dict, page, theme: str, base: str, ids: dict[str, int]) -> None:
    """Everything the truth says of one article, checked against its served page."""
    tree = parse(page.body)
    selectors = SELECTORS[theme]
    assert tree.xpath("//link[@rel='canonical']/@href") == [record["url"]]
    assert tree.xpath("//link[@rel='shortlink']/@href") == [f"{base}/?p={record['id']}"]
    assert tree.xpath("//meta[@property='og:title']/@content") == [record["title"]]
    assert texts(tree, selectors["title"]) == [record["title"]]
    body = [text for text in texts(tree, selectors["body"]) if not text.startswith("اقرأ أيضاً:")]
    assert body == record["body"].split("\n\n")
    featured = record["images"][0]["caption"] if record["images"] else None
    assert texts(tree, selectors["featured_caption"]) == ([featured] if featured else [])
    assert tree.xpath("//a[@rel='category tag']/text()") == [record["section"]]
    assert tree.xpath("//a[@rel='tag']/text()") == record["tags"]
    published_meta = tree.xpath("//meta[@property='article:published_time']/@content")
    assert published_meta == ([record["published_at"]] if "meta" in record["date_sources"] else [])
    json_ld_dates = [json.loads(s).get("datePublished") for s in tree.xpath("//script[@type='application/ld+json']/text()")]
    assert [d for d in json_ld_dates if d] == ([record["published_at"]] if "json-ld" in record["date_sources"] else [])
    time_values = tree.xpath("//article//time/@datetime | //div[contains(@class,'single-post-box')]//time/@datetime")
    assert time_values == ([record["published_at"]] if "time" in record["date_sources"] else [])
    date_line = texts(tree, selectors["date_line"])
    if "date-line" not in record["date_sources"]:
        assert date_line == []
    elif theme == "magazine" and record["date_precision"] == "minute" and record["date_sources"] == ["date-line", "url"]:
        assert date_line[0] in magazine_date_time_lines(record["published_at"])
    else:
        assert date_line[0] == wordpress_date(record["published_at"])
    related = [ids[urljoin(base, href)] for href in tree.xpath(selectors["related"] + "/@href")]
    assert related == record["related"]
    assert f"{base}/print/{record['id']}/" in tree.xpath("//a/@href")


@pytest.fixture(scope="module")
def replica_magazine(replica_arguments):
    with running(**replica_arguments, theme="magazine") as base:
        yield base


def test_classic_pages_agree_with_the_truth(replica_url, replica_truth):
    ids = url_to_id(replica_truth)
    for record in sample(replica_truth):
        page = fetch(record["url"])
        assert page.status == 200, record["url"]
        check_article_page(record, page, "classic", replica_url, ids)


def test_magazine_pages_agree_with_the_truth(replica_site, replica_magazine):
    truth = replica_site.truth(replica_magazine, "magazine")
    ids = url_to_id(truth)
    for record in sample(truth, every=15):
        page = fetch(record["url"])
        assert page.status == 200
        check_article_page(record, page, "magazine", replica_magazine, ids)
        assert "entry-" not in page.text  # the themes share WordPress-wide signals, not classes


def test_pages_carry_the_noise_the_truth_has_not(replica_truth):
    raw = "".join(fetch(record["url"]).text for record in replica_truth[:60])
    for mark in ("\u0640", "\u200b", "\u200f", "\ufefb", "&#", "  "):
        assert mark in raw, repr(mark)


def test_every_alias_answers_as_stated(replica_url, replica_site, replica_truth):
    with_reposts = [r for r in replica_truth if any("?" not in a and a.endswith("-2/") for a in r["aliases"])]
    chosen = replica_truth[::40] + with_reposts[:4] + [r for r in replica_truth if any("replytocom" in a for a in r["aliases"])][:2]
    for record in chosen:
        canonical = fetch(record["url"])
        for alias in record["aliases"]:
            if alias.startswith("https://"):
                continue  # the replica speaks plain HTTP: the https form is an identity, not served
            answer = fetch(alias)
            if alias.endswith(f"/?p={record['id']}") or alias == record["url"].rstrip("/"):
                assert (answer.status, answer.headers["location"]) == (301, record["url"])
            elif alias.startswith(record["url"]) or alias.lower() == record["url"]:
                assert answer.status == 200 and answer.body == canonical.body
            else:  # an exact re-post under another slug and date
                tree = parse(answer.body)
                assert answer.status == 200
                assert tree.xpath("//link[@rel='canonical']/@href")[0] in (record["url"], alias)
                assert texts(tree, SELECTORS["classic"]["title"]) == [record["title"]]
                body = [t for t in texts(tree, SELECTORS["classic"]["body"]) if not t.startswith("اقرأ أيضاً:")]
                assert body == record["body"].split("\n\n")
    reposts = [p for p in replica_site.posts if p.kind == "repost"]
    declared = {p.repost_declares_canonical for p in reposts}
    assert declared == {True, False}


def listing_pages(base: str, site) -> list[str]:
    """Every listing a crawler can walk: home, archives (all pages), feeds and sitemaps."""
    urls = [f"{base}/", f"{base}/feed/", f"{base}/wp-sitemap.xml"]
    urls += [f"{base}/wp-sitemap-posts-post-{n}.xml" for n in (1, 2)]
    for section in SECTIONS:
        urls.append(f"{base}/category/{section.encoded_slug}/feed/")
        urls += follow_next(f"{base}/category/{section.encoded_slug}/")
    from replica.slugs import utf8_uri_encode

    for tag in site.tag_posts:
        urls += follow_next(f"{base}/tag/{utf8_uri_encode(tag)}/")
    for author in site.author_posts:
        urls += follow_next(f"{base}/author/{author}/")
    for year, month in site.month_posts:
        urls += follow_next(f"{base}/{year}/{month:02d}/")
    return urls


def follow_next(url: str) -> list[str]:
    """`url` and every page after it, by <link rel="next">."""
    chain = []
    while url:
        chain.append(url)
        page = fetch(url)
        assert page.status == 200, url
        url = (parse(page.body).xpath("//link[@rel='next']/@href") or [None])[0]
    return chain


def test_hidden_articles_are_in_no_listing_but_in_a_related_block(replica_url, replica_site, replica_truth):
    ids = url_to_id(replica_truth)
    listed = set()
    for url in listing_pages(replica_url, replica_site):
        body = fetch(url).text
        found = re.findall(r'(?:href="|<loc>|<link>)(http://[^"<]+)', body)
        listed |= {ids[u] for u in found if u in ids}
    hidden = {r["id"] for r in replica_truth if r["reachable_only_via_related"]}
    assert hidden and not hidden & listed
    visible = {r["id"] for r in replica_truth if not r["reachable_only_via_related"]}
    assert visible <= listed  # everything else is reachable from some listing
    by_id = {r["id"]: r for r in replica_truth}
    for hidden_id in hidden:
        host = by_id[by_id[hidden_id]["linked_from_related_of"][0]]
        tree = parse(fetch(host["url"]).body)
        related = [ids[urljoin(replica_url, h)] for h in tree.xpath(SELECTORS["classic"]["related"] + "/@href")]
        assert hidden_id in related
        assert hidden_id not in [ids.get(urljoin(replica_url, h)) for h in tree.xpath("//aside//a/@href")]


def test_archives_paginate_ten_a_page_and_one_stops_after_k_pages(replica_url, replica_site, replica_truth):
    ids = url_to_id(replica_truth)
    limited = 0
    for section in SECTIONS:
        posts = replica_site.section_posts(section)
        chain = follow_next(f"{replica_url}/category/{section.encoded_slug}/")
        listed = []
        for number, url in enumerate(chain, start=1):
            tree = parse(fetch(url).body)
            links = [urljoin(replica_url, h) for h in tree.xpath(SELECTORS["classic"]["listing_links"] + "/@href")]
            assert len(links) == 10 or number == len(chain)
            assert tree.xpath("//a[contains(@class,'next')]/@href") == tree.xpath("//link[@rel='next']/@href")
            listed += links
        limit = replica_site.archive_page_limit(section)
        if limit is None:
            assert len(listed) == len(posts)
        else:
            limited += 1
            assert len(chain) == limit and len(listed) == 10 * limit < len(posts)
            assert fetch(f"{replica_url}/category/{section.encoded_slug}/page/{limit + 1}/").status == 404
        assert all(url in ids for url in listed)  # re-posts' URLs are aliases of their originals
    assert limited == 1


def test_feeds_and_sitemaps_list_what_the_truth_says(replica_url, replica_site, replica_truth):
    by_url = {r["url"]: r for r in replica_truth}
    feed = lxml.etree.fromstring(fetch(f"{replica_url}/feed/").body)
    items = feed.findall("./channel/item")
    assert len(items) == 10
    newest = replica_site.listed_newest_first[:10]
    assert [item.findtext("link") for item in items] == [replica_url + p.path for p in newest]
    index = fetch(f"{replica_url}/wp-sitemap.xml").text
    assert f"{replica_url}/wp-sitemap-posts-post-1.xml" in index
    sitemap = lxml.etree.fromstring(fetch(f"{replica_url}/wp-sitemap-posts-post-1.xml").body)
    namespace = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    entries = {u.findtext(f"{namespace}loc"): u.findtext(f"{namespace}lastmod") for u in sitemap.iter(f"{namespace}url")}
    assert len(entries) == len(replica_site.sitemap_posts)
    for url, lastmod in entries.items():
        if url in by_url:
            assert lastmod == by_url[url]["modified_at"]
    assert fetch(f"{replica_url}/wp-sitemap-posts-post-2.xml").status == 404


def test_conditional_get_answers_304(replica_truth):
    url = replica_truth[5]["url"]
    first = fetch(url)
    etag, last_modified = first.headers["etag"], first.headers["last-modified"]
    assert fetch(url, {"If-None-Match": etag}).status == 304
    assert fetch(url, {"If-None-Match": etag}).body == b""
    assert fetch(url, {"If-Modified-Since": last_modified}).status == 304
    assert fetch(url, {"If-Modified-Since": "Mon, 01 Feb 2016 00:00:00 GMT"}).status == 200
    assert fetch(url, {"If-None-Match": '"something-else"'}).status == 200


def test_robots_txt_and_the_disallowed_print_links(replica_url, replica_truth):
    robots = fetch(f"{replica_url}/robots.txt").text
    assert robots.splitlines()[:4] == ["User-agent: *", "Disallow: /wp-admin/", "Allow: /wp-admin/admin-ajax.php", "Disallow: /print/"]
    assert f"Sitemap: {replica_url}/wp-sitemap.xml" in robots
    record = replica_truth[3]
    assert fetch(f"{replica_url}/print/{record['id']}/").status == 200  # served, but disallowed


def test_traps_and_site_furniture(replica_url):
    assert fetch(f"{replica_url}/loop/a").headers["location"] == f"{replica_url}/loop/b"
    assert fetch(f"{replica_url}/loop/b").headers["location"] == f"{replica_url}/loop/a"
    empty_month = parse(fetch(f"{replica_url}/1990/01/").body)
    assert {f"{replica_url}/1989/12/", f"{replica_url}/1990/02/"} <= set(empty_month.xpath("//a/@href"))
    home = parse(fetch(f"{replica_url}/").body)
    menu = home.xpath("//nav//a/text()")
    assert {"الرئيسية", "من نحن", "اتصل بنا", "أخبار", "English"} <= set(menu)
    assert any(href.startswith("https://www.facebook.com/") for href in home.xpath("//a/@href"))
    assert fetch(f"{replica_url}/wp-login.php").status == 200
    assert fetch(f"{replica_url}/wp-admin/").status == 302
    assert fetch(f"{replica_url}/no/such/page/").status == 404


def test_same_seed_same_bytes_other_seed_other_site(replica_url, replica_truth, replica_arguments):
    host = {"Host": "www.alghadalsoury.test"}
    paths = ["/", "/feed/", replica_truth[10]["url"][len(replica_url):], replica_truth[100]["url"][len(replica_url):]]
    with running(**replica_arguments) as twin:
        for path in paths:
            assert fetch(replica_url + path, host).body == fetch(twin + path, host).body
    with running(articles=replica_arguments["articles"], seed=replica_arguments["seed"] + 1) as other:
        assert fetch(replica_url + "/", host).body != fetch(other + "/", host).body


def test_epoch_one_serves_new_edited_and_deleted_articles():
    site = build_site(200, 4, epoch=1)
    with running(articles=200, seed=4, epoch=1) as base:
        truth = site.truth(base)
        deleted = [r for r in truth if r["status"] == "deleted"]
        assert len(deleted) == 1 and fetch(deleted[0]["url"]).status == 410
        assert fetch(f"{base}/?p={deleted[0]['id']}").status == 404
        new = [r for r in truth if r["epoch_added"] == 1]
        home = fetch(f"{base}/").text
        assert all(r["url"] in home for r in new)
        edited = next(r for r in truth if r["edited"] and "meta" in r["date_sources"])
        tree = parse(fetch(edited["url"]).body)
        assert tree.xpath("//meta[@property='article:modified_time']/@content") == [edited["modified_at"]]
        assert reader_text(tree.xpath("//div[contains(@class,'entry-content')]/p")[-1].text_content()).startswith("تحديث:")


def test_twenty_thousand_articles_start_in_under_ten_seconds():
    started = time.monotonic()
    with running(articles=20000, seed=2) as base:
        elapsed = time.monotonic() - started
        assert fetch(f"{base}/").status == 200
    assert elapsed < 10


def test_truth_command_prints_the_truth_one_json_object_a_line():
    command = [sys.executable, "-m", "replica", "truth", "--articles", "40", "--seed", "2", "--theme", "magazine",
               "--epoch", "1", "--base-url", "http://example.test"]
    output = subprocess.run(command, capture_output=True, text=True, check=True, cwd=PROJECT_ROOT).stdout
    records = [json.loads(line) for line in output.splitlines()]
    assert records == build_site(40, 2, epoch=1).truth("http://example.test", "magazine")


def test_undated_theme_shows_no_date_but_the_urls():
    """The 'theme change' the run-health check must notice: the classic theme without any date."""
    with running(articles=30, seed=4, theme="undated") as base:
        truth = build_site(30, 4).truth(base, "undated")
        for record in truth[:10]:
            page = fetch(record["url"]).text
            assert record["date_sources"] == ["url"] and record["date_precision"] == "day"
            for signal in ("article:published_time", "datePublished", "<time", "مشاهدات"):
                assert signal in page if signal == "مشاهدات" else signal not in page, signal
            assert record["title"] in page
