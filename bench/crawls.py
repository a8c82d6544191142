"""Run `scrapy crawl alghad` (or `scrapy bench`) as a subprocess and read what it did from its stats.

Politeness is off (loopback replica); pipelines and everything else run as a user runs them. The
process's resident memory is polled while it runs, since Scrapy's own `memusage/max` is only
sampled once a minute.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LOCAL_SPEED = {
    "AUTOTHROTTLE_ENABLED": "0", "DOWNLOAD_DELAY": "0", "CONCURRENT_REQUESTS": "16",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
}
RSS_POLL_SECONDS = 0.2
# The kernel's high-water mark of a process's resident memory (Linux): a peak no polling can miss.
_PEAK_RSS = re.compile(r"^VmHWM:\s+(\d+) kB$", re.MULTILINE)
# A numeric entry of the stats dict Scrapy logs at the end of a run: `'downloader/request_count': 1200,`
_STAT = re.compile(r"^[{\s]*'([^']+)': (\d+(?:\.\d+)?)[,}]?$", re.MULTILINE)


@dataclass(frozen=True)
class CrawlRun:
    """What one Scrapy process did: its numeric stats, wall time and peak resident memory."""

    stats: dict[str, float]
    wall_seconds: float
    peak_rss_bytes: int
    log_path: Path

    @property
    def responses(self) -> int:
        return int(self.stats.get("downloader/response_count", 0))

    @property
    def requests(self) -> int:
        return int(self.stats.get("downloader/request_count", 0))

    @property
    def items(self) -> int:
        return int(self.stats.get("item_scraped_count", 0))

    @property
    def elapsed(self) -> float:
        """Scrapy's own engine time (start to close), falling back to the process's wall time."""
        return self.stats.get("elapsed_time_seconds") or self.wall_seconds

    @property
    def pages_per_second(self) -> float:
        return self.responses / self.elapsed


def numeric_stats(log: str) -> dict[str, float]:
    """The numeric entries of the last stats dump in a Scrapy log."""
    start = log.rfind("Dumping Scrapy stats:")
    if start < 0:
        return {}
    return {name: float(value) for name, value in _STAT.findall(log[start:])}


def crawl(base_url: str, db_path: Path, timeout: float, log_path: Path | None = None, **settings: str) -> CrawlRun:
    """`scrapy crawl alghad -a base_url=… -s NEWS_DB=…`, politeness off, logging at INFO (beside the DB
    unless `log_path` says where)."""
    log_path = log_path or db_path.with_suffix(".log")
    command = [sys.executable, "-m", "scrapy", "crawl", "alghad", "-a", f"base_url={base_url}",
               "-s", f"NEWS_DB={db_path}", "-s", f"LOG_FILE={log_path}", "-s", "LOG_LEVEL=INFO"]
    for name, value in {**LOCAL_SPEED, **settings}.items():
        command += ["-s", f"{name}={value}"]
    return run_scrapy(command, log_path, timeout)


def scrapy_bench(work_dir: Path, seconds: int, timeout: float) -> CrawlRun:
    """Scrapy's own baseline, `scrapy bench` (its own local server), for `seconds`, outside the project."""
    log_path = work_dir / "scrapy-bench.log"
    command = [sys.executable, "-m", "scrapy", "bench", "-s", f"CLOSESPIDER_TIMEOUT={seconds}",
               "-s", f"LOG_FILE={log_path}", "-s", "LOG_LEVEL=INFO"]
    return run_scrapy(command, log_path, timeout, cwd=work_dir)


def run_scrapy(command: list[str], log_path: Path, timeout: float, cwd: Path = PROJECT_ROOT) -> CrawlRun:
    """Run a Scrapy command, polling its peak resident memory until it exits; fail if it fails."""
    started = time.monotonic()
    peak_rss = 0
    with subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) as process:
        watched = psutil.Process(process.pid)
        while process.poll() is None:
            peak_rss = max(peak_rss, _peak_rss(watched))
            if time.monotonic() - started > timeout:
                process.kill()
                raise TimeoutError(f"{' '.join(command[2:4])} ran longer than {timeout:.0f} s")
            time.sleep(RSS_POLL_SECONDS)
        errors = process.stderr.read()
    wall = time.monotonic() - started
    if process.returncode != 0:
        raise RuntimeError(f"{command[2:4]} exited with {process.returncode}: {errors[-2000:]}")
    stats = numeric_stats(log_path.read_text(encoding="utf-8"))
    return CrawlRun(stats, wall, peak_rss, log_path)


def _peak_rss(process: psutil.Process) -> int:
    """The process's peak resident memory so far (VmHWM), or its current one where there is no VmHWM."""
    try:
        status = Path(f"/proc/{process.pid}/status").read_text(encoding="utf-8")
        match = _PEAK_RSS.search(status)
        return int(match.group(1)) * 1024 if match else process.memory_info().rss
    except (OSError, psutil.NoSuchProcess):
        return 0
