"""Our crawler against trafilatura, the tool a user would pick instead, on the same replica.

trafilatura is run the way its documentation shows for a whole site: its focused crawler
(`trafilatura.spider.focused_crawler`) finds the pages, its buffered downloader fetches the article
pages it found, `bare_extraction(..., with_metadata=True)` extracts each one. Politeness is off for it
as for us (no sleep between requests, 16 download threads). Both tools' output is judged against the
replica's truth by the same rules (`field_accuracy`).

courlan, trafilatura's URL filter, drops links whose host is an IP address with a port or a name
without a dot, so the replica must be served on port 80 of a loopback address for trafilatura to
follow any link: `serving_on_port_80` does that (it needs the right to bind port 80).
"""

from __future__ import annotations

import random
import re
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz

from bench.crawls import PROJECT_ROOT

ARTICLE_PATH = re.compile(r"^https?://[^/]+/\d{4}/\d{2}/\d{2}/[^/?#]+/$")
PERCENT_ESCAPE = re.compile(r"%[0-9A-F]{2}")
DOWNLOAD_THREADS = 16
# Visits the focused crawler may make, per article of the site: enough to walk every listing
# (it favours navigation pages), and a bound, since the site's endless calendar would keep it busy.
VISITS_PER_ARTICLE = 2
FIELDS = ("title", "published_day", "author", "body")


@contextmanager
def serving_on_port_80(articles: int, seed: int) -> Iterator[str]:
    """The replica on port 80 of a random loopback address (127.x.y.z); yields its base URL."""
    rng = random.Random()
    host = f"127.{rng.randrange(1, 255)}.{rng.randrange(1, 255)}.{rng.randrange(2, 255)}"
    command = [sys.executable, "-m", "replica", "serve", "--host", host, "--port", "80",
               "--articles", str(articles), "--seed", str(seed)]
    with subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True) as process:
        try:
            ready = process.stdout.readline()
            if "replica serving" not in ready:
                process.wait(timeout=10)
                raise PermissionError(f"replica could not serve on {host}:80: {process.stderr.read()[-500:]}")
            yield f"http://{host}"
        finally:
            process.terminate()
            process.wait(timeout=10)


@dataclass(frozen=True)
class ToolRun:
    """What one tool produced from a site: article records by URL, pages fetched, wall seconds."""

    records: dict[str, dict]
    pages_fetched: int
    seconds: float

    @property
    def articles_per_second(self) -> float:
        return len(self.records) / self.seconds

    @property
    def pages_per_second(self) -> float:
        return self.pages_fetched / self.seconds


def trafilatura_run(base_url: str, articles: int) -> ToolRun:
    """Crawl and extract the site at `base_url` with trafilatura (sequential discovery, threaded downloads)."""
    from trafilatura import bare_extraction
    from trafilatura.downloads import buffered_downloads
    from trafilatura.settings import Extractor, use_config
    from trafilatura.spider import focused_crawler

    config = use_config()
    config.set("DEFAULT", "SLEEP_TIME", "0")
    config.set("DEFAULT", "SSRF_PROTECTION", "off")  # the replica is on loopback
    started = time.perf_counter()
    _, known = focused_crawler(base_url + "/", max_seen_urls=VISITS_PER_ARTICLE * articles,
                               max_known_urls=10**6, config=config)
    visited = min(len(known), VISITS_PER_ARTICLE * articles)
    # Generous to trafilatura: one download per article, however many URL spellings it met.
    article_urls = list(dict.fromkeys(
        PERCENT_ESCAPE.sub(lambda escape: escape.group().lower(), url) for url in known if ARTICLE_PATH.match(url)
    ))
    records = {}
    for url, html in buffered_downloads(article_urls, DOWNLOAD_THREADS, Extractor(config=config)):
        document = bare_extraction(html, url=url, with_metadata=True, config=config) if html else None
        if document is not None:
            records[url] = {"title": document.title, "published_day": (document.date or "")[:10],
                            "author": document.author, "body": document.text}
    return ToolRun(records, visited + len(article_urls), time.perf_counter() - started)


def our_records(db_path: Path) -> dict[str, dict]:
    """Our stored articles as records comparable with trafilatura's."""
    connection = sqlite3.connect(db_path)
    try:
        return {
            url: {"title": title, "published_day": (published_at or "")[:10], "author": author, "body": body}
            for url, title, published_at, author, body in connection.execute(
                "SELECT url, title, published_at, author, body FROM articles"
            )
        }
    finally:
        connection.close()


def field_accuracy(truth: list[dict], records: dict[str, dict]) -> dict[str, float]:
    """Per field, the share of live truth articles whose record has it right (a missing record is wrong);
    whitespace is folded (paragraph breaks are a matter of output format); `body_similarity` is the
    mean character-level similarity of the bodies (0 for a missing record); `found` the share found."""
    live = [record for record in truth if record.get("status", "live") == "live"]
    right = dict.fromkeys(FIELDS, 0)
    similarity = 0.0
    found = 0
    for expected in live:
        got = records.get(expected["url"])
        if got is None:
            continue
        found += 1
        wanted = {**expected, "published_day": expected["published_at"][:10]}
        for name in FIELDS:
            right[name] += _folded(got[name]) == _folded(wanted[name])
        similarity += fuzz.ratio(_folded(got["body"]), _folded(expected["body"])) / 100
    count = max(len(live), 1)
    return {**{name: right[name] / count for name in FIELDS}, "body_similarity": similarity / count,
            "found": found / count}


def _folded(text: str | None) -> str:
    return " ".join((text or "").split())
