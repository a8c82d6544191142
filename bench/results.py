"""The figures of a bench run and the Markdown page they are written to (`bench/RESULTS.md`).

Each figure has the key issue 8 names it by (so it can be tracked over time), its value, the goal as
a comparison and a bound, and the absolute numbers it was computed from.
"""

from __future__ import annotations

import operator
import os
import platform
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version

import psutil

GOAL_COMPARISONS = {"≥": operator.ge, "≤": operator.le}
# The order of issue 8's table, kept in RESULTS.md so that runs compare line by line.
KEY_ORDER = ("crawl_vs_scrapy_bench", "rerun_request_share", "pipeline_100k_vs_1k", "peak_rss_mb_20k",
             "search_p95_ms_100k", "vs_trafilatura_pages_per_s")


@dataclass(frozen=True)
class Figure:
    """One tracked figure: `value` compared with `bound` by `comparison` ("≥" or "≤")."""

    key: str
    value: float
    comparison: str
    bound: float
    details: str

    @property
    def met(self) -> bool:
        return GOAL_COMPARISONS[self.comparison](self.value, self.bound)

    def line(self) -> str:
        verdict = "met" if self.met else "missed"
        value = f"{self.value:.3g}" if abs(self.value) < 1000 else f"{self.value:.0f}"
        return f"| `{self.key}` | {value} | {self.comparison} {self.bound:g} | {verdict} | {self.details} |"


def machine() -> dict[str, str]:
    """What the figures were measured on: CPU model, cores, RAM, Python and the tools' versions."""
    return {
        "CPU": _cpu_model(),
        "cores": f"{psutil.cpu_count(logical=True)} logical ({psutil.cpu_count(logical=False)} physical)",
        "RAM": f"{psutil.virtual_memory().total / 2**30:.1f} GiB",
        # The machine may be shared (other test runs): timing figures are only as quiet as it was.
        "load average at the end (1, 5, 15 min)": ", ".join(f"{load:.2f}" for load in os.getloadavg()),
        "OS": platform.platform(),
        "Python": platform.python_version(),
        "Scrapy": version("scrapy"),
        "Datasette": version("datasette"),
        "trafilatura": version("trafilatura"),
    }


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def render(figures: list[Figure], notes: list[str], quick: bool, started: datetime, seconds: float) -> str:
    """The RESULTS.md page: machine, date, one table line per figure, then the notes of the run."""
    lines = [
        "# Benchmark results",
        "",
        "Written by `make bench` (`python -m bench`); do not edit by hand. Ratios are against baselines",
        "measured in the same run; absolute numbers are beside them.",
        "",
    ]
    if quick:
        lines += ["**Quick mode (tiny sizes, a smoke run of the harness): these numbers mean nothing.**", ""]
    lines += [f"- date: {started.astimezone(UTC):%Y-%m-%d %H:%M} UTC (run took {seconds / 60:.1f} min)"]
    lines += [f"- {name}: {value}" for name, value in machine().items()]
    lines += ["", "| key | value | goal | verdict | measured |", "|---|---|---|---|---|"]
    lines += [figure.line() for figure in sorted(figures, key=lambda figure: KEY_ORDER.index(figure.key))]
    if notes:
        lines += ["", "## Notes", ""] + [f"- {note}" for note in notes]
    return "\n".join(lines) + "\n"
