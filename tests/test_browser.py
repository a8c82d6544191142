"""What a person sees: headless Chromium (Debian's `chromium`) opens pages of the real Datasette server.

The DOM Chromium dumps after running the page's scripts must show the article right to left, a search
typed without hamza finding the text with it, and the chart drawn; screenshots of each go to
`test-artifacts/` for a person to look at. Without a `chromium` binary (a new user's machine) these
tests skip; `.ci/run` installs it, so CI runs them.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from markupsafe import escape
from support import browsing, crawled
from test_datasette import article_ids_by_truth_url

from crawler.arabic import normalize

CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary: apt-get install chromium")

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
WINDOW = "1280,1600"
# Virtual time lets the page's scripts (the dashboard fetches its data, then draws) finish first.
SCRIPT_TIME_MS = 5000


def chromium(url: str, profile: Path, *action: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={profile}", f"--window-size={WINDOW}", f"--virtual-time-budget={SCRIPT_TIME_MS}",
         "--hide-scrollbars", *action, url],
        capture_output=True, text=True, timeout=90, check=True,
    )


def look_at(url: str, name: str, profile: Path) -> str:
    """Open `url`: save a screenshot as test-artifacts/`name`.png, return the DOM after scripts ran."""
    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / f"{name}.png"
    screenshot.unlink(missing_ok=True)
    chromium(url, profile, f"--screenshot={screenshot}")
    assert screenshot.read_bytes().startswith(b"\x89PNG"), f"no screenshot of {url}"
    return chromium(url, profile, "--dump-dom").stdout


@pytest.fixture(scope="module")
def crawled_db(replica_url, tmp_path_factory) -> Path:
    return crawled(replica_url, tmp_path_factory.mktemp("crawl") / "crawl.db")


@pytest.fixture(scope="module")
def site(crawled_db, tmp_path_factory) -> Iterator[str]:
    with browsing(crawled_db, tmp_path_factory.mktemp("logs") / "browse.log") as base:
        yield base


@pytest.fixture
def profile(tmp_path) -> Path:
    return tmp_path / "chromium-profile"


def test_article_page_reads_right_to_left(site, crawled_db, replica_truth, profile):
    ids = article_ids_by_truth_url(crawled_db)
    truth = next(article for article in replica_truth if article["lang"] == "ar" and article["captions"])
    article_id = ids[truth["url"]]
    dom = look_at(f"{site}/news/articles/{article_id}", "article", profile)
    assert '<article class="alghad-article" lang="ar" dir="rtl">' in dom
    assert f"<h1>{escape(truth['title'])}</h1>" in dom
    assert f"<figcaption>{escape(truth['captions'][0])}</figcaption>" in dom
    assert f"<p>{escape(truth['body'].split(chr(10) * 2)[0])}</p>" in dom


def test_search_without_hamza_shows_the_text_with_it(site, replica_truth, profile):
    typed = "الارهاب"
    found = next(article["title"] for article in replica_truth
                 if "الإرهاب" in article["title"].split() and typed in normalize(article["title"]).split())
    dom = look_at(f"{site}/news/articles?_search={quote(typed)}&_size=100", "search", profile)
    assert f'value="{typed}"' in dom
    assert f'<div lang="ar" dir="rtl">{escape(found)}</div>' in dom


def test_dashboard_draws_articles_over_time_by_section(site, replica_truth, profile):
    dom = look_at(f"{site}/-/dashboards/news-overview", "dashboard", profile)
    chart = dom.split('id="chart-articles-over-time"', 1)[1].split('id="chart-articles-by-section"', 1)[0]
    assert '<svg' in chart and 'class="marks"' in chart, "vega drew no chart"
    for section in {article["section"] for article in replica_truth}:
        assert f">{escape(section)}</text>" in chart, f"no legend entry for {section}"
