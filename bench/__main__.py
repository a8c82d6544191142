"""`python -m bench [--quick] [--output PATH]`: measure every figure and write bench/RESULTS.md."""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import figures
from bench.results import Figure, render

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny sizes: check the harness, not the speed")
    parser.add_argument("--output", type=Path, default=RESULTS, help="where to write the results page")
    args = parser.parse_args(argv)
    sizes = figures.QUICK if args.quick else figures.FULL
    started, clock = datetime.now(UTC), time.monotonic()
    measured: list[Figure] = []
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench-") as scratch:
        work = Path(scratch)
        for measure in (figures.crawl_speed, figures.against_trafilatura, figures.scale_and_memory):
            step = time.monotonic()
            try:
                new = measure(sizes, work)
            except PermissionError as error:
                notes.append(f"{measure.__name__} not measured: {error}")
                continue
            measured += new
            print(f"{measure.__name__}: {time.monotonic() - step:.0f} s", file=sys.stderr)
            for figure in new:
                print(figure.line(), file=sys.stderr)
    notes += figures.NOTES
    page = render(measured, notes, args.quick, started, time.monotonic() - clock)
    args.output.write_text(page, encoding="utf-8")
    print(page)
    return 0


if __name__ == "__main__":
    sys.exit(main())
