"""Scheduled runs: the lock that keeps two runs apart, field coverage, and the health verdict of a run.

A scheduled crawler fails quietly: the site changes its theme and every run "succeeds" with articles that
have no dates. Each run therefore records in `crawl_runs` what it did and how complete its items were,
and compares that with the recent runs before it: a sharp fall is reported as unhealthy (non-zero exit
status, a clear log line) while the data is still stored.
"""

from __future__ import annotations

import fcntl
import json
import os
import statistics
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlite_utils import Database

# What each item is measured on: a field counts as present when the page itself gave it (a date taken
# from the URL is a guess of the day, not the page's date).
COVERED_FIELDS = ("title", "body", "published_at", "modified_at", "section", "tags", "author", "captions",
                  "teaser")
PAGE_DATE_SOURCES_EXCLUDED = {"url"}

EXIT_HEALTHY = 0
EXIT_UNHEALTHY = 2
EXIT_LOCKED = 3
EXIT_INTERRUPTED = 4
# NEWS_DB cannot be opened or written (a path that cannot hold a file, a read-only or full disk).
EXIT_STORAGE_ERROR = 5


class RunLock:
    """An exclusive lock beside the database (`news.db.lock`): at most one run per database at a time.

    `flock` locks die with their process, so a run killed with SIGKILL never leaves a stale lock.
    """

    def __init__(self, db_path: str | Path):
        self.path = Path(f"{db_path}.lock")
        self._file = None

    def acquire(self) -> bool:
        """Take the lock without waiting; False when another run holds it."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock_file = open(self.path, "a+")
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock_file.close()
            return False
        lock_file.seek(0)
        lock_file.truncate()
        lock_file.write(json.dumps({"pid": os.getpid(), "since": datetime.now().astimezone().isoformat()}))
        lock_file.flush()
        self._file = lock_file
        return True

    def holder(self) -> str:
        """Who holds the lock, as written by the holder ("pid 123 since …"), for the refusal message."""
        try:
            info = json.loads(self.path.read_text() or "{}")
        except (OSError, ValueError):
            return "another run"
        return f"pid {info.get('pid')} since {info.get('since')}" if info else "another run"

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None


@dataclass
class Coverage:
    """How many of a run's articles had each field, from the page itself."""

    items: int = 0
    present: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COVERED_FIELDS, 0))

    def add(self, article) -> None:
        """Count one article (an ItemAdapter or mapping with the Article fields)."""
        self.items += 1
        provenance = article.get("provenance") or {}
        for name in COVERED_FIELDS:
            if name == "captions":
                value = [image for image in article.get("images") or [] if _caption(image)]
            else:
                value = article.get(name)
            if name == "published_at" and provenance.get(name) in PAGE_DATE_SOURCES_EXCLUDED:
                value = None
            if value:
                self.present[name] += 1

    def shares(self) -> dict[str, float]:
        """Each field's share of the run's articles, in percent (empty when the run had no article)."""
        if not self.items:
            return {}
        return {name: round(100 * count / self.items, 1) for name, count in self.present.items()}


def _caption(image) -> str | None:
    return image.get("caption") if isinstance(image, dict) else getattr(image, "caption", None)


@dataclass(frozen=True)
class HealthRules:
    """Thresholds of the health verdict (settings HEALTH_*)."""

    coverage_drop_points: float = 20.0
    max_error_rate: float = 0.2
    recent_runs: int = 5
    min_items_for_coverage: int = 50


def health_verdict(run: dict, recent: list[dict], rules: HealthRules) -> list[str]:
    """The reasons a run is unhealthy ([] when healthy), judged against recent finished runs.

    `run` and each of `recent` carry `articles_found` (articles seen, fetched or known), `items`,
    `coverage` (field → percent) and, for `run`, `requests` and `failed`.
    """
    reasons = []
    if run["articles_found"] == 0 and any(r["articles_found"] > 0 for r in recent):
        reasons.append("found no articles, where earlier runs found some")
    if run["requests"] and run["failed"] / run["requests"] > rules.max_error_rate:
        reasons.append(f"error rate {run['failed'] / run['requests']:.0%} above {rules.max_error_rate:.0%}")
    comparable = [r for r in recent if r["items"] >= rules.min_items_for_coverage]
    if run["items"] >= rules.min_items_for_coverage and comparable:
        for name, share in run["coverage"].items():
            usual = statistics.median(r["coverage"].get(name, 0.0) for r in comparable)
            if share < usual - rules.coverage_drop_points:
                reasons.append(f"{name} coverage {share:.0f}% is more than {rules.coverage_drop_points:.0f} "
                               f"points below the recent median {usual:.0f}% (a theme change?)")
    return reasons


def start_run(db: Database, started_at: datetime, spider: str, mode: str, base_url: str) -> int:
    """A new `crawl_runs` row in status 'running'; a run that never finishes stays visibly so."""
    return db["crawl_runs"].insert(
        {"started_at": started_at.isoformat(), "spider": spider, "mode": mode, "base_url": base_url,
         "status": "running"},
    ).last_pk


def finish_run(db: Database, run_id: int, values: dict) -> None:
    """Record how a run ended (status, counts, coverage, health) in its `crawl_runs` row."""
    encoded = {key: json.dumps(value, ensure_ascii=False, default=str) if isinstance(value, (dict, list)) else value
               for key, value in values.items()}
    db["crawl_runs"].update(run_id, encoded)


def recent_runs(db: Database, before_id: int, limit: int) -> list[dict]:
    """The last `limit` finished runs before `before_id`, newest first, with coverage decoded."""
    rows = db.query(
        "select articles_found, items, coverage from crawl_runs where id < ? and finished_at is not null "
        "and status in ('healthy', 'unhealthy') order by id desc limit ?",
        [before_id, limit],
    )
    return [{"articles_found": row["articles_found"] or 0, "items": row["items"] or 0,
             "coverage": json.loads(row["coverage"] or "{}")} for row in rows]


def last_run_completed(db: Database) -> bool:
    """True when the previous run finished its whole crawl (or there was none): else the next one resumes."""
    rows = list(db.query("select status from crawl_runs where status != 'refused' order by id desc limit 1"))
    return not rows or rows[0]["status"] in ("healthy", "unhealthy")
