"""Run the replica as a real subprocess for tests (`with running(articles=300, seed=1) as base: …`)
and fetch from it over plain HTTP without following redirects (`fetch`)."""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

_READY = re.compile(r"replica serving (http://[^/\s]+)/")
PROJECT_ROOT = Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def running(articles: int = 300, seed: int = 1, theme: str = "classic", epoch: int = 0,
            faults: str = "none", startup_timeout: float = 30.0, port: int = 0) -> Iterator[str]:
    """Start `python -m replica serve` on 127.0.0.1 (a free port, or `port` to serve the same site again
    later, e.g. at another epoch); yield its base URL (``http://127.0.0.1:PORT``, no trailing slash);
    stop it on exit."""
    command = [
        sys.executable, "-m", "replica", "serve", "--host", "127.0.0.1", "--port", str(port),
        "--articles", str(articles), "--seed", str(seed), "--theme", theme, "--epoch", str(epoch),
        "--faults", faults,
    ]
    environment = dict(os.environ, PYTHONPATH=str(PROJECT_ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    # stderr goes to a file, not a pipe: a full pipe would block the server mid-test.
    with tempfile.TemporaryFile(mode="w+") as errors:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, text=True,
                                   cwd=PROJECT_ROOT, env=environment)
        try:
            yield _wait_until_serving(process, startup_timeout, errors)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            process.stdout.close()


def _wait_until_serving(process: subprocess.Popen, timeout: float, errors) -> str:
    """The base URL from the server's ready line (it prints nothing else on stdout)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        match = _READY.search(line)
        if match:
            return match.group(1)
        if not line and process.poll() is not None:
            errors.seek(0)
            raise RuntimeError(f"replica exited with {process.returncode}: {errors.read()}")
    raise TimeoutError("replica did not start in time")


@dataclass
class Fetched:
    """One HTTP answer: status, lower-cased headers, raw body."""

    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def fetch(url: str, headers: dict[str, str] | None = None, method: str = "GET", timeout: float = 10) -> Fetched:
    """One request over a fresh connection; redirects are not followed."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection.request(method, target, headers=headers or {})
        response = connection.getresponse()
        return Fetched(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    finally:
        connection.close()


def fetch_ok(url: str, attempts: int = 4, **options) -> Fetched:
    """`fetch`, retrying 5xx answers as a crawler would (for `--faults chaos`)."""
    for _ in range(attempts):
        fetched = fetch(url, **options)
        if fetched.status < 500:
            break
    return fetched
