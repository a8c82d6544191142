"""The faults `--faults chaos` injects, and which request gets which (the fault plan).

Every decision is deterministic: from the site seed, the request target (path and query) and how
many times that target was requested before (the attempt number, counted by the server).

Faults of a request (transient: a later attempt of the same target succeeds):
- ``error-500`` / ``error-503``: about 5 % of targets answer 500 or 503 on their first one or two
  attempts (503 with ``Retry-After: 1``).
- ``slow``: the first attempt is answered only after `SLOW_SECONDS` (longer than any sane download
  timeout); a few article paths.
- ``reset``: the first attempt gets its connection closed (RST) without a response; a few article paths.
- ``truncated``: the first attempt announces the full Content-Length but sends half the body and
  closes the connection; a few article paths.
- ``cut-html``: the first attempt gets an HTML page cut mid-document with a consistent
  Content-Length (only the markup shows it); a few article paths.

Faults of a page (every attempt sees them):
- ``windows-1256``: one article is served in windows-1256, declared only by
  ``<meta charset="windows-1256">`` (no charset in Content-Type).
- ``malformed``: ~5 % of articles have unclosed ``<p>`` tags and stray ``</div>``.
- ``hostile``: ~5 % of articles carry ``<script>`` and ``<style>`` in the body, ``on*`` attributes,
  a ``javascript:`` link, HTML comments and markup inside the ``<h1>`` (the text stays the title).

Traps present in every mode, not only chaos (they are the site's structure, not faults): the
redirect loop ``/loop/a`` → ``/loop/b`` → ``/loop/a`` linked from the footer, the calendar whose
month links never end, off-site share links, ``?replytocom=`` links, and robots-disallowed /print/.
"""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass

from replica.model import Site

SLOW_SECONDS = 20.0
TRANSIENT_ERROR_SHARE = 0.05
FIRST_ATTEMPT_FAULTS = ("slow", "reset", "truncated", "cut-html")
PAGE_FAULTS = ("windows-1256", "malformed", "hostile")
EXEMPT_PATHS = ("/robots.txt",)
_SHARES = {"slow": 0.003, "reset": 0.01, "truncated": 0.01, "cut-html": 0.01, "malformed": 0.05, "hostile": 0.05}


@dataclass(frozen=True)
class Fault:
    kind: str
    status: int | None = None


def _fraction(*parts: object) -> float:
    """A stable number in [0, 1) from `parts` (Python's hash() is salted per process)."""
    digest = hashlib.sha256(":".join(str(part) for part in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


class FaultPlan:
    """Which targets and pages get which fault, for one site. `enabled=False` plans nothing."""

    def __init__(self, site: Site, enabled: bool = True):
        self.site = site
        self.enabled = enabled
        self.first_attempt_faults: dict[str, str] = {}
        self.page_faults: dict[int, str] = {}
        if enabled:
            self._assign(site)

    def _assign(self, site: Site) -> None:
        candidates = [p for p in site.posts if p.listed and not p.is_seed_article]
        random.Random(f"{site.seed}:faults").shuffle(candidates)
        taken = 0
        for kind in FIRST_ATTEMPT_FAULTS:
            count = max(1, round(len(candidates) * _SHARES[kind]))
            for post in candidates[taken : taken + count]:
                self.first_attempt_faults[post.path] = kind
            taken += count
        for kind in PAGE_FAULTS:
            count = 1 if kind == "windows-1256" else max(1, round(len(candidates) * _SHARES[kind]))
            for post in candidates[taken : taken + count]:
                self.page_faults[post.id] = kind
            taken += count

    def transient_error(self, target: str) -> tuple[int, int] | None:
        """(status, how many first attempts fail) for a target that errors, else None."""
        if not self.enabled or target in EXEMPT_PATHS or target.startswith("/__replica__/"):
            return None
        if target in self.first_attempt_faults or _fraction(self.site.seed, "error", target) >= TRANSIENT_ERROR_SHARE:
            return None
        status = 500 if _fraction(self.site.seed, "error-status", target) < 0.5 else 503
        failing_attempts = 1 if _fraction(self.site.seed, "error-attempts", target) < 0.7 else 2
        return status, failing_attempts

    def fault_for(self, target: str, attempt: int) -> Fault | None:
        """The fault of the `attempt`-th request (from 1) of `target`, or None."""
        if not self.enabled:
            return None
        kind = self.first_attempt_faults.get(target)
        if kind:
            return Fault(kind) if attempt == 1 else None
        error = self.transient_error(target)
        if error and attempt <= error[1]:
            return Fault(f"error-{error[0]}", error[0])
        return None

    def hostile_posts(self) -> frozenset[int]:
        return frozenset(post_id for post_id, kind in self.page_faults.items() if kind == "hostile")

    def page_fault(self, post_id: int) -> str | None:
        return self.page_faults.get(post_id)

    def describe(self) -> dict:
        """The plan as JSON-ready data, for tests and for `/__replica__/faults`."""
        return {
            "enabled": self.enabled,
            "slow_seconds": SLOW_SECONDS,
            "first_attempt": dict(sorted(self.first_attempt_faults.items())),
            "pages": {self.site.by_id[i].path: kind for i, kind in sorted(self.page_faults.items())},
        }


def malform(page: str) -> str:
    """Break the markup as sloppy themes and editors do: drop every other </p>, add stray </div>."""
    count = 0

    def drop_every_other(match: re.Match) -> str:
        nonlocal count
        count += 1
        return "" if count % 2 else match.group(0)

    page = re.sub(r"</p>", drop_every_other, page)
    page = page.replace("</h1>", "</h1></div>", 1)
    return page.replace("<footer", '<div class="wrapper"><footer', 1)


def cut_html(body: bytes) -> bytes:
    """The first part of a page, cut mid-document (on a UTF-8 character boundary)."""
    return body[: len(body) // 2].decode("utf-8", "ignore").encode("utf-8")


def as_windows_1256(page: str) -> bytes:
    """The page in windows-1256, declared only in its meta tag; unencodable marks become references."""
    page = page.replace('<meta charset="UTF-8">', '<meta charset="windows-1256">', 1)
    return page.encode("cp1256", errors="xmlcharrefreplace")
