"""Command line: `python -m replica serve …` and `python -m replica truth …` (see README.md)."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys

from replica.model import build_site
from replica.server import make_server
from replica.themes import THEMES


def _site_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--articles", type=int, required=True, help="number of posts at epoch 0")
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--theme", choices=THEMES, default="classic")
    parser.add_argument("--epoch", type=int, default=0, help="days after the site's first crawl (>= 0)")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m replica", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the site over HTTP until SIGTERM/SIGINT")
    _site_arguments(serve)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000, help="0 picks a free port")
    serve.add_argument("--faults", choices=("none", "chaos"), default="none")
    truth = commands.add_parser("truth", help="print the ground truth, one JSON object per line")
    _site_arguments(truth)
    truth.add_argument("--base-url", default="http://127.0.0.1:8000")
    return parser


def _stop(signum, frame) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    site = build_site(args.articles, args.seed, args.epoch)
    if args.command == "truth":
        try:
            for record in site.truth(args.base_url, args.theme):
                sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
            sys.stdout.flush()
        except BrokenPipeError:  # the reader (e.g. `head`) has had enough
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    server = make_server(site, args.host, args.port, args.theme, args.faults)
    host, port = server.server_address[:2]
    print(f"replica serving http://{host}:{port}/ ({args.articles} articles, theme {args.theme}, "
          f"epoch {args.epoch}, faults {args.faults})", flush=True)
    for signal_number in (signal.SIGTERM, signal.SIGINT):  # SIGINT may arrive ignored (background jobs)
        signal.signal(signal_number, _stop)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
