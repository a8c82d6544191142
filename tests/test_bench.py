"""The benchmark harness: its quick mode end to end (a smoke run, no timing asserted) and its pure parts."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from bench.crawls import numeric_stats
from bench.results import Figure
from bench.search import search_terms
from bench.versus_trafilatura import field_accuracy

PROJECT = Path(__file__).resolve().parent.parent
KEYS = ("crawl_vs_scrapy_bench", "rerun_request_share", "pipeline_100k_vs_1k", "peak_rss_mb_20k",
        "search_p95_ms_100k", "vs_trafilatura_pages_per_s")


def test_quick_mode_writes_one_line_per_figure(tmp_path):
    output = tmp_path / "RESULTS.md"
    process = subprocess.run([sys.executable, "-m", "bench", "--quick", "--output", str(output)],
                             cwd=PROJECT, capture_output=True, text=True, timeout=120, check=False)
    assert process.returncode == 0, process.stderr[-3000:]
    page = output.read_text(encoding="utf-8")
    assert "Quick mode" in page
    for machine_line in ("- CPU: ", "- cores: ", "- RAM: ", "- Python: ", "- Scrapy: ", "- date: "):
        assert machine_line in page
    for key in KEYS:
        (line,) = [line for line in page.splitlines() if line.startswith(f"| `{key}` |")]
        value, goal, verdict = (cell.strip() for cell in line.split("|")[2:5])
        assert float(value) >= 0
        assert re.fullmatch(r"[≥≤] [\d.]+", goal)
        assert verdict in ("met", "missed")


def test_numeric_stats_reads_the_last_stats_dump():
    log = """2024-01-01 [scrapy.statscollectors] INFO: Dumping Scrapy stats:
{'downloader/request_count': 12,
 'elapsed_time_seconds': 3.5,
 'finish_reason': 'finished',
 'start_time': datetime.datetime(2024, 1, 1, 0, 0),
 'item_scraped_count': 7}
"""
    assert numeric_stats("noise\n" + log) == {
        "downloader/request_count": 12.0, "elapsed_time_seconds": 3.5, "item_scraped_count": 7.0,
    }
    assert numeric_stats("no stats here") == {}


@pytest.mark.parametrize(("comparison", "value", "bound", "met"), [
    ("≥", 0.6, 0.6, True), ("≥", 0.59, 0.6, False), ("≤", 0.03, 0.03, True), ("≤", 120.0, 100, False),
])
def test_a_figure_meets_its_goal_by_its_comparison(comparison, value, bound, met):
    figure = Figure("key", value, comparison, bound, "details")
    assert figure.met is met
    assert figure.line().endswith(f"| {'met' if met else 'missed'} | details |")


def test_field_accuracy_counts_missing_records_as_wrong_and_folds_whitespace():
    truth = [
        {"url": "u1", "title": "عنوان", "published_at": "2017-10-21T10:15:00+03:00", "author": None,
         "body": "فقرة أولى\n\nفقرة ثانية"},
        {"url": "u2", "title": "آخر", "published_at": "2018-01-01T00:00:00+02:00", "author": "كاتب",
         "body": "نص"},
        {"url": "u3", "title": "محذوف", "published_at": "2018-01-01T00:00:00+02:00", "author": None,
         "body": "نص", "status": "deleted"},
    ]
    records = {"u1": {"title": "عنوان", "published_day": "2017-10-21", "author": None,
                      "body": "فقرة أولى\nفقرة ثانية"}}
    scores = field_accuracy(truth, records)
    assert scores == {"title": 0.5, "published_day": 0.5, "author": 0.5, "body": 0.5,
                      "body_similarity": 0.5, "found": 0.5}


def test_search_terms_are_arabic_words_of_the_titles_with_hamza_dropped_in_every_other():
    titles = ["أعلن المكتب السياسي بيانا", "Tomorrow statement", "إطلاق مبادرة جديدة"]
    queries = search_terms(titles, 10, seed=3)
    assert len(queries) == 10
    words = {word.replace("أ", "ا").replace("إ", "ا") for title in titles for word in title.split()}
    for number, query in enumerate(queries):
        assert len(query.split()) == 1 + number % 2
        assert all(word.replace("أ", "ا").replace("إ", "ا") in words for word in query.split())
        if number % 2:
            assert "أ" not in query and "إ" not in query
