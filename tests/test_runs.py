"""Run bookkeeping without a crawl: the lock, field coverage and the health verdict."""

import subprocess
import sys
from datetime import datetime, timezone

import pytest
from hypothesis import given, strategies as st
from itemadapter import ItemAdapter

from crawler import store
from crawler.items import Article, Image
from crawler.runs import (
    Coverage, HealthRules, RunLock, finish_run, health_verdict, last_run_completed, recent_runs, start_run,
)

RULES = HealthRules(coverage_drop_points=20, max_error_rate=0.2, recent_runs=5, min_items_for_coverage=20)
USUAL = {"title": 100.0, "published_at": 95.0, "author": 10.0}


def run(found=300, items=300, coverage=None, requests=350, failed=0):
    return {"articles_found": found, "items": items, "coverage": coverage or dict(USUAL), "requests": requests,
            "failed": failed}


@pytest.mark.parametrize("current, recent, expected", [
    (run(), [run(), run()], []),
    (run(), [], []),
    (run(found=0, items=0, coverage={}), [run()], ["found no articles, where earlier runs found some"]),
    (run(found=0, items=0, coverage={}), [], []),
    (run(failed=100), [run()], ["error rate 29% above 20%"]),
    (run(coverage={**USUAL, "published_at": 0.0}), [run(), run(), run()],
     ["published_at coverage 0% is more than 20 points below the recent median 95% (a theme change?)"]),
    (run(coverage={**USUAL, "published_at": 76.0}), [run()], []),
    # Too few items to judge coverage either way: an incremental run that found three new articles.
    (run(items=3, coverage={**USUAL, "published_at": 0.0}), [run()], []),
    (run(coverage={**USUAL, "published_at": 0.0}), [run(items=3)], []),
    # The median, not the mean: one odd run does not move the baseline.
    (run(coverage={**USUAL, "author": 0.0}), [run(), run(coverage={**USUAL, "author": 90.0}), run()], []),
])
def test_health_verdict(current, recent, expected):
    assert health_verdict(current, recent, RULES) == expected


def test_coverage_counts_fields_from_the_page_only():
    coverage = Coverage()
    dated = Article(url="u1", title="أ", body="ب", published_at=datetime(2017, 1, 1, tzinfo=timezone.utc),
                    provenance={"published_at": "meta"}, images=[Image("a.jpg", caption="تعليق")], tags=["حلب"])
    url_dated = Article(url="u2", title="أ", body="ب", published_at=datetime(2017, 1, 1, tzinfo=timezone.utc),
                        provenance={"published_at": "url"}, images=[Image("a.jpg")])
    coverage.add(ItemAdapter(dated))
    coverage.add(ItemAdapter(url_dated))
    shares = coverage.shares()
    assert shares["title"] == 100.0
    assert shares["published_at"] == 50.0
    assert shares["captions"] == 50.0
    assert shares["tags"] == 50.0
    assert shares["author"] == 0.0
    assert Coverage().shares() == {}


@given(st.lists(st.booleans(), min_size=1, max_size=50))
def test_coverage_share_is_the_fraction_of_items_with_the_field(with_author):
    coverage = Coverage()
    for has_author in with_author:
        coverage.add({"title": "أ", "author": "كاتب" if has_author else None})
    assert coverage.shares()["author"] == round(100 * sum(with_author) / len(with_author), 1)


def test_lock_is_exclusive_across_processes_and_released(tmp_path):
    db_path = tmp_path / "news.db"
    holder = RunLock(db_path)
    assert holder.acquire()
    other_process = subprocess.run(
        [sys.executable, "-c", f"from crawler.runs import RunLock; print(RunLock({str(db_path)!r}).acquire())"],
        capture_output=True, text=True, check=True)
    assert other_process.stdout.strip() == "False"
    assert "pid" in holder.holder()
    holder.release()
    assert RunLock(db_path).acquire()


def test_lock_of_a_killed_process_is_free(tmp_path):
    db_path = tmp_path / "news.db"
    script = f"import os; from crawler.runs import RunLock; RunLock({str(db_path)!r}).acquire(); os.kill(os.getpid(), 9)"
    subprocess.run([sys.executable, "-c", script])
    assert RunLock(db_path).acquire()


def test_runs_table_round_trip_and_last_run_completed(tmp_path):
    db = store.open_db(tmp_path / "news.db")
    assert last_run_completed(db)
    first = start_run(db, datetime(2026, 1, 1, tzinfo=timezone.utc), "alghad", "incremental", "http://x")
    assert not last_run_completed(db)  # running, or killed: the next run must resume
    finish_run(db, first, {"finished_at": "2026-01-01T01:00:00+00:00", "status": "healthy", "articles_found": 300,
                           "items": 300, "coverage": USUAL, "health_reasons": []})
    assert last_run_completed(db)
    second = start_run(db, datetime(2026, 1, 2, tzinfo=timezone.utc), "alghad", "incremental", "http://x")
    assert recent_runs(db, second, 5) == [{"articles_found": 300, "items": 300, "coverage": USUAL}]
    assert recent_runs(db, first, 5) == []
