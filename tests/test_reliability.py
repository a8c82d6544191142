"""Reliability end to end: real `scrapy crawl` runs against the replica's `--faults chaos` profile.

Faults and traps (transient 500/503, resets, slow answers past DOWNLOAD_TIMEOUT, bodies cut short with and
without a Content-Length mismatch, malformed markup, a windows-1256 page, hostile content, a redirect loop,
the endless calendar, off-site links), requests that fail for good, SIGKILL at random points, Datasette
reading while the crawl writes, and a NEWS_DB that cannot be written. Expectations come from the replica's
truth and its fault plan (`/__replica__/faults`, `/__replica__/requests`).
"""

from __future__ import annotations

import json
import os
import random
import re
import resource
import signal
import subprocess
import sys
import time
import zlib
from pathlib import Path
from urllib.parse import unquote

import httpx
import pytest
from support import (
    LOCAL_SPEED, PROJECT_ROOT, browsing, compare_with_truth, crawl, integrity, rows, start_crawl, stored_articles,
    wait_for,
)

import replica
from crawler import store
from crawler.runs import EXIT_STORAGE_ERROR
from replica.testing import fetch, running

ARTICLES = 300
SEED = 7
# The replica's slow answers take 20 s; a crawl against it must not wait that long per page.
FAST_TIMEOUT = {"DOWNLOAD_TIMEOUT": "3"}
CRAWL_SECONDS_BOUND = 90
# Every markup, script, style or handler the hostile pages carry, as it would show if it leaked into text.
HOSTILE_TRACES = re.compile(
    r"<\s*[a-z!/]|javascript:|\bon[a-z]+\s*=|_gaq|document\.write|trackRead|showMore|line-height|text-align"
    r"|wp:paragraph|class=", re.IGNORECASE)
STORED_TEXT = {
    "articles": ("title", "teaser", "body", "author", "section"),
    "article_tags": ("tag",),
    "images": ("alt", "caption"),
    "related_links": ("anchor",),
    "sections": ("name",),
}


def replica_json(base_url: str, endpoint: str):
    return json.loads(fetch(f"{base_url}/__replica__/{endpoint}").body)


# Table pages, full-text search, an SQL count and the runs table: what a reader does during a crawl.
READER_PATHS = ("/news/articles.json?_size=20", "/news/articles.json?_search=%D8%A7%D9%84%D8%BA%D8%AF&_size=5",
                "/news.json?sql=select+count(*)+from+articles", "/news/crawl_runs.json")


def read_while_crawling(datasette: str, crawler: subprocess.Popen) -> list[tuple[int, str]]:
    """(status, body) of every Datasette answer, polling `READER_PATHS` in turn until the crawl ends."""
    answers = []
    deadline = time.monotonic() + CRAWL_SECONDS_BOUND
    while crawler.poll() is None and time.monotonic() < deadline:
        for path in READER_PATHS:
            response = httpx.get(datasette + path, timeout=30)
            answers.append((response.status_code, response.text))
    return answers


# ------------------------------------------------------------------ one crawl of the chaos replica


@pytest.fixture(scope="module")
def chaos(tmp_path_factory):
    """A chaos crawl of 300 articles, read through Datasette all the while; the plan, requests, truth, answers."""
    db_path = tmp_path_factory.mktemp("chaos") / "news.db"
    store.open_db(db_path).close()  # Datasette serves an existing file
    with running(articles=ARTICLES, seed=SEED, faults="chaos") as base_url, browsing(db_path) as datasette:
        started = time.monotonic()
        crawler = start_crawl(base_url, db_path, STORE_BATCH_SIZE="10", **FAST_TIMEOUT)
        answers = read_while_crawling(datasette, crawler)
        returncode = crawler.wait(timeout=CRAWL_SECONDS_BOUND)
        seconds = time.monotonic() - started
        plan = replica_json(base_url, "faults")
        requested = replica_json(base_url, "requests")
    truth = replica.build_site(ARTICLES, SEED).truth(base_url)
    return {"db": db_path, "log": Path(f"{db_path}.log").read_text(), "returncode": returncode,
            "seconds": seconds, "plan": plan, "requested": requested, "truth": truth, "answers": answers,
            "base_url": base_url}


def test_chaos_crawl_stores_every_article_as_truth(chaos):
    assert chaos["returncode"] == 0, chaos["log"][-3000:]
    comparison = compare_with_truth(chaos["truth"], chaos["db"])
    assert comparison.missing == []
    assert comparison.mismatches == {}
    assert len(rows(chaos["db"], "select id from articles")) == len(chaos["truth"])
    assert rows(chaos["db"], "select * from failures") == []
    assert integrity(chaos["db"]) == "ok"


def test_every_first_attempt_fault_was_met_and_retried(chaos):
    first_attempt = chaos["plan"]["first_attempt"]
    assert set(first_attempt.values()) == {"slow", "reset", "truncated", "cut-html"}
    for target in first_attempt:
        assert chaos["requested"].count(target) >= 2, target
    log = chaos["log"]
    assert "retry/reason_count/truncated_html': " in log
    cut = sum(1 for kind in first_attempt.values() if kind == "cut-html")
    assert f"'downloader/truncated_html': {cut}," in log
    assert "'retry/reason_count/500 Internal Server Error'" in log
    assert "'retry/reason_count/503 Service Unavailable'" in log


def test_no_stored_page_is_cut_short(chaos):
    pages = rows(chaos["db"], "select url, html_zlib from pages")
    assert len(pages) >= len(chaos["truth"])
    for page in pages:
        assert zlib.decompress(page["html_zlib"]).rstrip().endswith(b"</html>"), page["url"]


def test_page_faults_are_stored_as_truth(chaos):
    by_path = {t["url"].removeprefix(chaos["base_url"]): t for t in chaos["truth"]}
    stored = {row["url"]: row for row in rows(chaos["db"], "select url, title, body from articles")}
    kinds = set(chaos["plan"]["pages"].values())
    assert kinds == {"windows-1256", "malformed", "hostile"}
    for path in chaos["plan"]["pages"]:
        expected = by_path[path]
        assert (stored[expected["url"]]["title"], stored[expected["url"]]["body"]) == \
            (expected["title"], expected["body"]), path


def test_no_hostile_content_in_any_stored_text(chaos):
    checked = 0
    for table, columns in STORED_TEXT.items():
        for row in rows(chaos["db"], f"select {', '.join(columns)} from {table}"):
            for column in columns:
                if row[column] is not None:
                    checked += 1
                    assert not HOSTILE_TRACES.search(row[column]), (table, column, row[column][:200])
    assert checked > 5 * len(chaos["truth"])


def test_the_run_ends_in_bounded_time_and_requests(chaos):
    assert chaos["seconds"] < CRAWL_SECONDS_BOUND
    requested = [target for target in chaos["requested"] if not target.startswith("/__replica__/")]
    assert len(requested) < 2 * len(chaos["truth"])
    assert sum(1 for target in requested if target.startswith("/loop/")) <= 1
    months = [target for target in requested if re.fullmatch(r"/\d{4}/\d{2}/(page/\d+/)?", target)]
    assert months == []
    crawled = [line.split("<GET ", 1)[1] for line in chaos["log"].splitlines() if "DEBUG: Crawled (" in line]
    assert crawled and all(url.startswith(chaos["base_url"] + "/") for url in crawled)
    assert "Traceback" not in chaos["log"]


def test_datasette_reads_while_the_crawl_writes(chaos):
    answers = chaos["answers"]
    assert len(answers) >= 2 * len(READER_PATHS)
    assert [status for status, _ in answers if status != 200] == []
    assert not any("database is locked" in body for _, body in answers)
    assert "database is locked" not in chaos["log"]
    counts = [json.loads(body)["rows"][0][0] for status, body in answers[2::len(READER_PATHS)]]
    assert counts == sorted(counts) and counts[-1] > counts[0]


# ------------------------------------------------------------------ permanent failures


@pytest.fixture(scope="module")
def failing_runs(tmp_path_factory):
    """Two chaos runs without retries (so transient faults fail for good), then a run with retries."""
    db_path = tmp_path_factory.mktemp("failures") / "news.db"
    with running(articles=ARTICLES, seed=SEED, faults="chaos") as base_url:
        plan = replica_json(base_url, "faults")
        first = crawl(base_url, db_path, RETRY_TIMES="0", **FAST_TIMEOUT)
        after_first = {row["url"]: row for row in rows(db_path, "select * from failures")}
        pages_after_first = {row["url"] for row in rows(db_path, "select url from pages")}
        second = crawl(base_url, db_path, RETRY_TIMES="0", **FAST_TIMEOUT)
        after_second = {row["url"]: row for row in rows(db_path, "select * from failures")}
        third = crawl(base_url, db_path, **FAST_TIMEOUT)
    truth = replica.build_site(ARTICLES, SEED).truth(base_url)
    return {"db": db_path, "plan": plan, "base_url": base_url, "truth": truth, "runs": (first, second, third),
            "after_first": after_first, "pages_after_first": pages_after_first, "after_second": after_second}


def test_failures_are_recorded_with_reason_and_attempts(failing_runs):
    base_url, plan = failing_runs["base_url"], failing_runs["plan"]
    failures = failing_runs["after_first"]
    # A reset on a reused connection is retried by Twisted's connection pool itself, so it may not fail.
    expected_reasons = {"slow": "TimeoutError", "truncated": "ResponseDataLossError", "cut-html": "TruncatedHtml"}
    by_url = {base_url + target: kind for target, kind in plan["first_attempt"].items() if kind != "reset"}
    for url, kind in by_url.items():
        assert url in failures, (kind, unquote(url))
        assert expected_reasons[kind] in failures[url]["reason"], failures[url]
        assert failures[url]["attempts"] == 1 and failures[url]["last_tried"]
    assert {row["reason"] for row in failures.values()} >= {"http_500", "http_503"}
    assert not failing_runs["pages_after_first"] & set(failures), "a page that failed was stored"


def test_the_next_run_retries_failures_and_attempts_count_per_run(failing_runs):
    first, second = failing_runs["after_first"], failing_runs["after_second"]
    recovered = set(first) - set(second)
    assert recovered, "the second run must fetch again what the first could not"
    assert set(second) <= set(first) | {url for url in second if second[url]["attempts"] == 1}
    again = [url for url in second if url in first]
    assert again, "targets failing twice (the replica's two-attempt errors) fail in both runs"
    assert all(second[url]["attempts"] == 2 for url in again)


def test_failures_leave_the_table_once_fetched_and_nothing_is_lost(failing_runs):
    *_, third = failing_runs["runs"]
    assert third.returncode == 0, third.log[-3000:]
    assert rows(failing_runs["db"], "select * from failures") == []
    comparison = compare_with_truth(failing_runs["truth"], failing_runs["db"])
    assert comparison.missing == [] and comparison.mismatches == {}


def test_failures_count_in_the_error_rate_not_as_articles_found(failing_runs):
    first, _, third = failing_runs["runs"]
    assert first.returncode == third.returncode == 0, first.log[-3000:]
    recorded = rows(failing_runs["db"], "select * from crawl_runs order by id")
    assert (recorded[0]["status"], recorded[2]["status"]) == ("healthy", "healthy")
    assert not any("found no articles" in run["health_reasons"] for run in recorded)
    assert recorded[0]["failed"] == len(failing_runs["after_first"]) > 0
    assert recorded[1]["failed"] == len([row for row in failing_runs["after_second"].values()
                                         if row["last_tried"] > recorded[1]["started_at"]])
    # Failures are not articles found: the found count stays near the stored items, failures or not.
    assert recorded[0]["items"] <= recorded[0]["articles_found"] < recorded[0]["items"] + 5


# ------------------------------------------------------------------ SIGKILL at random points


def test_three_sigkills_then_a_rerun_store_exactly_the_truth(tmp_path):
    db_path = tmp_path / "news.db"
    rng = random.Random(SEED)
    thresholds = [rng.randint(30, 90), rng.randint(120, 170), rng.randint(200, 250)]
    killed_at = []
    with running(articles=ARTICLES, seed=SEED, faults="chaos") as base_url:
        for threshold in thresholds:
            victim = start_crawl(base_url, db_path, STORE_BATCH_SIZE="10", **FAST_TIMEOUT)
            wait_for(lambda: stored_articles(db_path) >= threshold, victim)
            time.sleep(rng.uniform(0, 0.3))
            os.kill(victim.pid, signal.SIGKILL)
            victim.wait()
            killed_at.append(stored_articles(db_path))
        rerun = crawl(base_url, db_path, **FAST_TIMEOUT)
    truth = replica.build_site(ARTICLES, SEED).truth(base_url)
    assert killed_at == sorted(killed_at) and killed_at[-1] < len(truth)
    assert rerun.returncode == 0, rerun.log[-3000:]
    assert [run["status"] for run in rows(db_path, "select status from crawl_runs order by id")] == \
        ["running"] * 3 + ["healthy"]
    comparison = compare_with_truth(truth, db_path)
    assert comparison.missing == [] and comparison.mismatches == {}
    assert len(rows(db_path, "select id from articles")) == len(truth)
    for table, key in [("articles", "url"), ("articles", "shortlink_id"), ("pages", "url"), ("url_aliases", "url")]:
        assert rows(db_path, f"select {key} from {table} where {key} is not null group by {key} "
                             f"having count(*) > 1") == [], (table, key)
    assert integrity(db_path) == "ok"


# ------------------------------------------------------------------ bad configuration


def scrapy_crawl(base_url: str, db_path: Path, *arguments: str, preexec_fn=None, **settings: str):
    """`scrapy crawl alghad` logging to stderr (not to a file a size limit would also stop)."""
    command = [sys.executable, "-m", "scrapy", "crawl", "alghad", "-a", f"base_url={base_url}",
               "-s", f"NEWS_DB={db_path}", *arguments]
    for name, value in {**LOCAL_SPEED, **settings}.items():
        command += ["-s", f"{name}={value}"]
    return subprocess.run(command, check=False, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120,
                          preexec_fn=preexec_fn)


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "] ERROR: " in line or line.startswith("error:")]


@pytest.mark.parametrize("make_path, cause", [
    (lambda tmp: (tmp / "a-file").write_text("") or tmp / "a-file" / "news.db", "a-file is a file, not a directory"),
    (lambda tmp: tmp, "unable to open database file"),
])
def test_an_unwritable_news_db_stops_before_fetching(replica_url, tmp_path, make_path, cause):
    db_path = make_path(tmp_path)
    before = len(replica_json(replica_url, "requests"))
    result = scrapy_crawl(replica_url, db_path)
    assert result.returncode == EXIT_STORAGE_ERROR
    [message] = error_lines(result.stderr)
    assert message.startswith(f"error: NEWS_DB {db_path} cannot be written: ") and message.endswith(cause)
    assert len(replica_json(replica_url, "requests")) == before


def test_a_base_url_that_is_not_a_url_is_a_clear_error(tmp_path):
    result = scrapy_crawl("not a url", tmp_path / "news.db")
    assert result.returncode == 1
    assert "base_url must be an http(s) URL" in result.stderr and "'not a url'" in result.stderr


FULL_DISK_BYTES = 2 * 1024 * 1024


def limit_file_size():
    """In the crawl's process: files stop growing at FULL_DISK_BYTES, and writes past it fail (EFBIG)."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (FULL_DISK_BYTES, FULL_DISK_BYTES))


def test_a_full_disk_stops_the_crawl_promptly_and_keeps_what_was_committed(tmp_path):
    db_path = tmp_path / "news.db"
    with running(articles=ARTICLES, seed=SEED) as base_url:
        result = scrapy_crawl(base_url, db_path, "-s", "LOG_LEVEL=DEBUG", preexec_fn=limit_file_size,
                              STORE_BATCH_SIZE="10")
    truth = replica.build_site(ARTICLES, SEED).truth(base_url)
    assert result.returncode == EXIT_STORAGE_ERROR, result.stderr[-3000:]
    errors = error_lines(result.stderr)
    assert errors and all(f"NEWS_DB {db_path} cannot be written: " in line for line in errors), errors
    assert "disk is full" in errors[0] or "I/O error" in errors[0], errors
    after_error = result.stderr.split(errors[0], 1)[1]
    assert after_error.count("DEBUG: Crawled (") <= 2 * int(LOCAL_SPEED["CONCURRENT_REQUESTS"])
    assert integrity(db_path) == "ok"
    # An article whose own page was not stored yet may hold a re-post's content until it is (see store.py).
    stored = {row["url"] for row in rows(db_path, "select articles.url from articles join pages using (url)")}
    assert 0 < len(stored) < len(truth)
    url_of = {t["id"]: t["url"] for t in truth}
    # A republication is told from its original only once the original is stored too.
    complete = [t for t in truth if t["url"] in stored and (t["duplicate_of"] is None or url_of[t["duplicate_of"]] in stored)]
    comparison = compare_with_truth(complete, db_path)
    assert comparison.checked >= 0.9 * len(stored)
    assert comparison.missing == [] and comparison.mismatches == {}
