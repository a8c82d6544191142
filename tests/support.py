"""Shared test support: run the real `scrapy crawl` and Datasette against a replica, compare a crawl with truth."""

from __future__ import annotations

import json
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import httpx

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


def crawl_command(base_url: str, db_path: Path, log_path: Path, spider_args, settings: dict) -> list[str]:
    """The `scrapy crawl alghad` command line, politeness turned down for the loopback replica."""
    command = [sys.executable, "-m", "scrapy", "crawl", "alghad", "-a", f"base_url={base_url}",
               "-s", f"NEWS_DB={db_path}", "-s", f"LOG_FILE={log_path}", "-s", "LOG_LEVEL=DEBUG"]
    for argument in spider_args:
        command += ["-a", argument]
    for name, value in {**LOCAL_SPEED, **settings}.items():
        command += ["-s", f"{name}={value}"]
    return command


def crawl(base_url: str, db_path: Path, *spider_args: str, timeout: float = 240, **settings: str) -> CrawlResult:
    """`scrapy crawl alghad -a base_url=… -s NEWS_DB=…` in a subprocess, logging at DEBUG to a file."""
    log_path = db_path.with_suffix(".log")
    command = crawl_command(base_url, db_path, log_path, spider_args, settings)
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


def start_crawl(base_url: str, db_path: Path, *spider_args: str, **settings: str) -> subprocess.Popen:
    """`scrapy crawl alghad` in the background (to signal or kill it), logging at DEBUG to `<db>.log`."""
    command = crawl_command(base_url, db_path, Path(f"{db_path}.log"), spider_args, settings)
    return subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_for(condition, process: subprocess.Popen, timeout: float = 60) -> None:
    """Until `condition()` holds while `process` (a running crawl) is still alive."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        assert process.poll() is None, f"the crawl ended early with status {process.returncode}"
        time.sleep(0.1)
    raise TimeoutError("condition not reached")


def stored_articles(db_path: Path) -> int:
    """Articles with content committed so far (0 while the database does not exist yet)."""
    try:
        connection = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5)
        try:
            return connection.execute("select count(*) from articles where title is not null").fetchone()[0]
        finally:
            connection.close()
    except sqlite3.Error:
        return 0


def integrity(db_path: Path) -> str:
    return rows(db_path, "pragma integrity_check")[0]["integrity_check"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def browsing(db_path: Path, log_path: Path | None = None, startup_seconds: float = 30) -> Iterator[str]:
    """The project's Datasette (`scripts/browse.py`) on `db_path` on a free loopback port; yields its base URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = log_path or db_path.with_suffix(".datasette.log")
    with open(log_path, "w") as log:
        process = subprocess.Popen([sys.executable, "scripts/browse.py", "--db", str(db_path), "--port", str(port)],
                                   cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + startup_seconds
        while True:
            try:
                if httpx.get(f"{base}/-/versions.json", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"browse.py did not start:\n{log_path.read_text()}")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def crawled(base_url: str, db_path: Path) -> Path:
    """A crawl that must succeed (see `crawl`); its database."""
    result = crawl(base_url, db_path)
    assert result.returncode == 0, result.log[-3000:]
    return db_path
