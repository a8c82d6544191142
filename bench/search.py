"""Search latency through the real Datasette server: `scripts/browse.py` over a crawl database, queried
over HTTP with `?_search=` the way the search box queries it, one request at a time.

The table search (`/news/articles?_search=`, what the search box does: the configured sort and facets)
is the tracked figure, as HTML and JSON; the ready query `search` (best match first, no facets) is
timed beside it.
"""

from __future__ import annotations

import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import httpx

from bench.crawls import PROJECT_ROOT

BROWSE = PROJECT_ROOT / "scripts" / "browse.py"
STARTUP_SECONDS = 60
WARMUP_QUERIES = 5


@dataclass(frozen=True)
class Latencies:
    """Response times in milliseconds of one kind of search request."""

    milliseconds: list[float]

    @property
    def p95(self) -> float:
        return statistics.quantiles(self.milliseconds, n=20, method="inclusive")[-1]

    @property
    def median(self) -> float:
        return statistics.median(self.milliseconds)


def search_terms(titles: list[str], count: int, seed: int) -> list[str]:
    """`count` Arabic queries, one or two words from real titles, half of them typed without hamza.

    Dropping the hamza (أ إ → ا) is how people type on phones; the server must fold it back.
    """
    rng = random.Random(seed)
    words = [word for title in titles for word in title.split() if len(word) >= 4 and _is_arabic_word(word)]
    queries = []
    for number in range(count):
        start = rng.randrange(len(words) - 1)
        query = " ".join(words[start:start + 1 + number % 2])
        queries.append(query.replace("أ", "ا").replace("إ", "ا") if number % 2 else query)
    return queries


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def browsing(db_path: Path) -> Iterator[str]:
    """`scripts/browse.py` serving `db_path` on a free loopback port; yields its base URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as errors, subprocess.Popen(
        [sys.executable, str(BROWSE), "--db", str(db_path), "--port", str(port)],
        cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=errors,
    ) as process:
        try:
            _wait_until_answering(base, process, errors)
            yield base
        finally:
            process.terminate()
            process.wait(timeout=10)


def _wait_until_answering(base: str, process: subprocess.Popen, errors) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            errors.seek(0)
            raise RuntimeError(f"browse.py exited with {process.returncode}: {errors.read().decode()[-2000:]}")
        try:
            if httpx.get(f"{base}/-/versions.json", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise TimeoutError("Datasette did not start in time")


def search_latencies(base: str, queries: list[str], path: str, parameter: str) -> tuple[Latencies, int]:
    """Time `GET {path}?{parameter}=query` for each query; return the latencies and how many queries
    found at least one article (so a search that finds nothing cannot pass for a fast one)."""
    found = 0
    milliseconds = []
    with httpx.Client(base_url=base, timeout=30) as client:
        for query in queries[:WARMUP_QUERIES]:
            client.get(f"{path}?{parameter}={quote(query)}")
        for query in queries:
            started = time.perf_counter()
            response = client.get(f"{path}?{parameter}={quote(query)}")
            milliseconds.append((time.perf_counter() - started) * 1000)
            response.raise_for_status()
            if path.endswith(".json"):
                found += bool(response.json()["rows"])
            else:
                found += "<td " in response.text
    return Latencies(milliseconds), found


def _is_arabic_word(word: str) -> bool:
    return all("\u0621" <= letter <= "\u064a" for letter in word)
