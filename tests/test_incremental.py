"""Scheduled, incremental runs end to end: real `scrapy crawl` runs, one after another, on one database.

The replica's epochs are the site over time: epoch 1 is the next day (new articles, edits, a deletion).
"""

import os
import signal

import pytest

import replica
from replica.testing import running
from support import compare_with_truth, crawl, rows, start_crawl, stored_articles, wait_for

SEED = 5
ARTICLES = 1000  # large enough that a re-run's fixed cost (home, sections, feeds) is under 3 %
UNLISTED_RECHECK_RUNS = 7  # RECHECK_UNLISTED_SHARE = 0.15 re-checks every unlisted article within 7 runs


def runs_of(db_path):
    return rows(db_path, "select * from crawl_runs order by id")


def count(db_path, sql):
    return rows(db_path, sql)[0]["n"]


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    """A crawl at epoch 0, an unchanged re-run, then a run the next day (epoch 1)."""
    db_path = tmp_path_factory.mktemp("incremental") / "news.db"
    with running(articles=ARTICLES, seed=SEED, epoch=0) as base_url:
        first = crawl(base_url, db_path)
        snapshot = {"articles": count(db_path, "select count(*) n from articles"),
                    "revisions": count(db_path, "select count(*) n from revisions")}
        rerun = crawl(base_url, db_path)
        after_rerun = {"articles": count(db_path, "select count(*) n from articles"),
                       "revisions": count(db_path, "select count(*) n from revisions")}
    truth = replica.build_site(ARTICLES, SEED, epoch=1).truth(base_url)
    with running(articles=ARTICLES, seed=SEED, epoch=1, port=port_of(base_url)) as same_site:
        next_day = crawl(same_site, db_path)
        after_next_day = compare_with_truth(truth, db_path)
        # Edits to articles no sitemap lists show only when their turn to be re-checked comes.
        later_runs = []
        while compare_with_truth(truth, db_path).mismatches and len(later_runs) < UNLISTED_RECHECK_RUNS:
            later_runs.append(crawl(same_site, db_path))
    return {"db": db_path, "first": first, "rerun": rerun, "next_day": next_day, "truth": truth,
            "snapshot": snapshot, "after_rerun": after_rerun, "after_next_day": after_next_day,
            "later_runs": later_runs}


def port_of(base_url: str) -> int:
    return int(base_url.rsplit(":", 1)[1])


def test_runs_exit_healthy_and_are_recorded(history):
    for result in [history["first"], history["rerun"], history["next_day"], *history["later_runs"]]:
        assert result.returncode == 0, result.log[-2000:]
    recorded = runs_of(history["db"])
    assert [run["status"] for run in recorded] == ["healthy"] * (3 + len(history["later_runs"]))
    assert all(run["finished_at"] and run["requests"] > 0 for run in recorded)


def test_unchanged_rerun_costs_at_most_three_percent_and_adds_nothing(history):
    first, rerun = runs_of(history["db"])[:2]
    assert rerun["requests"] <= 0.03 * first["requests"], (rerun["requests"], first["requests"])
    assert (rerun["new"], rerun["updated"]) == (0, 0)
    assert history["after_rerun"] == history["snapshot"]
    assert rerun["skipped_known"] >= first["new"]


def test_next_day_stores_new_articles_and_edits_and_marks_the_deleted(history):
    db_path, truth = history["db"], history["truth"]
    new = [t for t in truth if t["epoch_added"] == 1]
    edited = [t for t in truth if t["edited"]]
    assert new and edited
    next_day = history["after_next_day"]
    assert next_day.missing == []
    stale = {url for mismatches in next_day.mismatches.values() for url, _, _ in mismatches}
    assert stale <= {t["url"] for t in edited if t["reachable_only_via_related"]}
    comparison = compare_with_truth(truth, db_path)
    assert comparison.missing == [] and comparison.mismatches == {}
    stored = {row["url"]: row for row in rows(db_path, "select id, url, gone_at from articles")}
    revised = {row["article_id"] for row in rows(db_path, "select article_id from revisions")}
    assert {stored[t["url"]]["id"] for t in edited} <= revised
    deleted = [t for t in truth if t["status"] == "deleted"]
    assert len(deleted) == 1
    assert stored[deleted[0]["url"]]["gone_at"] is not None
    assert [row["url"] for row in rows(db_path, "select url from articles where gone_at is not null")] == \
        [deleted[0]["url"]]
    next_day = runs_of(db_path)[2]
    assert next_day["new"] >= len(new) and next_day["gone"] == 1
    assert next_day["updated"] >= len([t for t in edited if not t["reachable_only_via_related"]])


def test_full_mode_fetches_everything_again(tmp_path):
    db_path = tmp_path / "news.db"
    with running(articles=100, seed=SEED) as base_url:
        first = crawl(base_url, db_path)
        again = crawl(base_url, db_path, "mode=full")
    first_run, full_run = runs_of(db_path)
    assert first.returncode == again.returncode == 0
    assert full_run["mode"] == "full"
    assert full_run["requests"] >= 0.9 * first_run["requests"]
    assert full_run["new"] == 0 and full_run["items"] == first_run["items"]


def test_recent_articles_are_rechecked_with_conditional_requests(tmp_path):
    db_path = tmp_path / "news.db"
    with running(articles=100, seed=SEED) as base_url:
        crawl(base_url, db_path)
        last_seen = {row["id"]: row["last_seen"] for row in rows(db_path, "select id, last_seen from articles")}
        rerun = crawl(base_url, db_path, RECHECK_RECENT_DAYS="100000")
    assert rerun.returncode == 0
    not_modified = int(rerun.log.split("'pages/known_status/304': ")[1].split(",")[0])
    assert not_modified >= 0.9 * len(last_seen)
    moved = [i for i, seen in rows_by_id(db_path).items() if seen != last_seen[i]]
    assert len(moved) >= 0.9 * len(last_seen)
    assert count(db_path, "select count(*) n from revisions") == 0


def rows_by_id(db_path):
    return {row["id"]: row["last_seen"] for row in rows(db_path, "select id, last_seen from articles")}


def test_second_run_is_refused_and_sigterm_interrupts_cleanly(tmp_path):
    db_path = tmp_path / "news.db"
    with running(articles=300, seed=SEED) as base_url:
        slow = start_crawl(base_url, db_path, CONCURRENT_REQUESTS_PER_DOMAIN="2", DOWNLOAD_DELAY="0.05")
        wait_for(lambda: stored_articles(db_path) >= 10, slow)
        second = crawl(base_url, db_path)
        slow.send_signal(signal.SIGTERM)
        assert slow.wait(timeout=60) == 4
    assert second.returncode == 3
    assert "Another crawl is running on" in second.log and "exit status 3" in second.log
    recorded = runs_of(db_path)
    assert [run["status"] for run in recorded] == ["interrupted"]
    assert recorded[0]["new"] == stored_articles(db_path) > 0
    assert rows(db_path, "pragma integrity_check")[0]["integrity_check"] == "ok"


def test_sigkill_mid_run_then_rerun_gives_the_same_articles(tmp_path):
    db_path = tmp_path / "news.db"
    with running(articles=300, seed=SEED) as base_url:
        victim = start_crawl(base_url, db_path)
        wait_for(lambda: stored_articles(db_path) >= 100, victim)
        os.kill(victim.pid, signal.SIGKILL)
        victim.wait()
        assert 100 <= stored_articles(db_path) < 291
        rerun = crawl(base_url, db_path)
        truth = replica.build_site(300, SEED).truth(base_url)
    assert rerun.returncode == 0, rerun.log[-2000:]
    killed, resumed = runs_of(db_path)
    assert killed["status"] == "running" and killed["finished_at"] is None
    assert resumed["status"] == "healthy"
    comparison = compare_with_truth(truth, db_path)
    assert comparison.missing == [] and comparison.mismatches == {}
    assert count(db_path, "select count(*) n from articles") == len(truth)
    assert rows(db_path, "pragma integrity_check")[0]["integrity_check"] == "ok"


def test_a_theme_that_lost_its_dates_makes_the_run_unhealthy(tmp_path):
    db_path = tmp_path / "news.db"
    with running(articles=300, seed=SEED, theme="classic") as base_url:
        assert crawl(base_url, db_path).returncode == 0
    with running(articles=300, seed=SEED, theme="undated", port=port_of(base_url)) as same_site:
        redesigned = crawl(same_site, db_path, "mode=full")
    assert redesigned.returncode == 2
    assert "UNHEALTHY" in redesigned.log and "published_at coverage" in redesigned.log
    healthy, unhealthy = runs_of(db_path)
    assert (healthy["status"], unhealthy["status"]) == ("healthy", "unhealthy")
    assert "published_at" in unhealthy["health_reasons"]
    assert unhealthy["items"] == healthy["items"]  # the data is still stored
