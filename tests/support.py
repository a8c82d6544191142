"""Shared test support: run the real `scrapy crawl` against a replica, and compare a crawl with truth."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Politeness off for the loopback replica; everything else as a user runs it.
LOCAL_SPEED = {
    "AUTOTHROTTLE_ENABLED": "0", "DOWNLOAD_DELAY": "0", "CONCURRENT_REQUESTS": "16",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
}


@dataclass
class CrawlResult:
    returncode: int
    db_path: Path
    log_path: Path

    @property
    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8")

    def crawled_urls(self) -> list[str]:
        """Every URL the crawler downloaded, in order (Scrapy's 'Crawled (status) <GET url>' lines)."""
        urls = []
        for line in self.log.splitlines():
            if "] DEBUG: Crawled (" in line:
                urls.append(line.split("<GET ", 1)[1].split(">", 1)[0])
        return urls


def crawl(base_url: str, db_path: Path, *spider_args: str, timeout: float = 240, **settings: str) -> CrawlResult:
    """`scrapy crawl alghad -a base_url=… -s NEWS_DB=…` in a subprocess, logging at DEBUG to a file."""
    log_path = db_path.with_suffix(".log")
    command = [sys.executable, "-m", "scrapy", "crawl", "alghad", "-a", f"base_url={base_url}",
               "-s", f"NEWS_DB={db_path}", "-s", f"LOG_FILE={log_path}", "-s", "LOG_LEVEL=DEBUG"]
    for argument in spider_args:
        command += ["-a", argument]
    for name, value in {**LOCAL_SPEED, **settings}.items():
        command += ["-s", f"{name}={value}"]
    process = subprocess.run(command, cwd=PROJECT_ROOT, timeout=timeout, capture_output=True, text=True)
    return CrawlResult(process.returncode, db_path, log_path)


def rows(db_path: Path, sql: str, *parameters) -> list[dict]:
    connection = sqlite3.connect(db_path)
    connection.row_factory = sqlite3.Row
    try:
        return [dict(row) for row in connection.execute(sql, parameters)]
    finally:
        connection.close()


@dataclass
class Comparison:
    """How a crawl's stored articles compare with the replica's truth, field by field."""

    missing: list[str] = field(default_factory=list)
    mismatches: dict[str, list[tuple]] = field(default_factory=dict)
    checked: int = 0

    def mismatch(self, name: str, url: str, expected, got):
        self.mismatches.setdefault(name, []).append((url, expected, got))

    def accuracy(self, name: str) -> float:
        return 1 - len(self.mismatches.get(name, [])) / max(self.checked, 1)


def same_minute(expected_iso: str, got_iso: str | None, day_only: bool) -> bool:
    """Equal to the minute with the same UTC offset (or the same local day, when only a day is known)."""
    if not got_iso:
        return False
    expected, got = datetime.fromisoformat(expected_iso), datetime.fromisoformat(got_iso)
    if day_only:
        return expected.date() == got.date()
    return (expected.replace(second=0, microsecond=0) == got.replace(second=0, microsecond=0)
            and expected.utcoffset() == got.utcoffset())


def compare_with_truth(truth: list[dict], db_path: Path) -> Comparison:
    """Every live truth article against its stored row: title, dates, body, captions, section, tags, author."""
    result = Comparison()
    articles = {row["url"]: row for row in rows(db_path, "select * from articles")}
    tags = {}
    for row in rows(db_path, "select article_id, tag from article_tags"):
        tags.setdefault(row["article_id"], set()).add(row["tag"])
    captions = {}
    for row in rows(db_path, "select article_id, caption from images where caption is not null order by position"):
        captions.setdefault(row["article_id"], []).append(row["caption"])
    for expected in truth:
        if expected.get("status", "live") != "live":
            continue
        row = articles.get(expected["url"])
        if row is None:
            result.missing.append(expected["url"])
            continue
        result.checked += 1
        url = expected["url"]
        for name in ("title", "body", "section", "author", "lang"):
            if row[name] != expected[name]:
                result.mismatch(name, url, expected[name], row[name])
        if tags.get(row["id"], set()) != set(expected["tags"]):
            result.mismatch("tags", url, sorted(expected["tags"]), sorted(tags.get(row["id"], set())))
        if captions.get(row["id"], []) != expected["captions"]:
            result.mismatch("captions", url, expected["captions"], captions.get(row["id"], []))
        day_only = expected.get("date_precision") == "day"
        if not same_minute(expected["published_at"], row["published_at"], day_only):
            result.mismatch("published_at", url, expected["published_at"], row["published_at"])
        if row["modified_at"] and not same_minute(expected["modified_at"], row["modified_at"], False):
            result.mismatch("modified_at", url, expected["modified_at"], row["modified_at"])
        if (row["duplicate_of"] is not None) != (expected["duplicate_of"] is not None):
            result.mismatch("duplicate_of", url, expected["duplicate_of"], row["duplicate_of"])
    return result


def load_truth_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]
