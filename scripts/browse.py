"""`make browse`: Datasette over the crawl database, read-only, on 127.0.0.1.

Serves the SQLite file as the database "news" (whatever the file is called, so the metadata, canned
queries and dashboard in `datasette/metadata.yaml` apply to it) with the project's plugins
(`datasette/plugins/`: Arabic search folding, month and tag facets, right-to-left pages), templates and
CSS. Datasette reads a mutable database through ``mode=ro`` connections and no write query is
configured, so nothing served here can change the file, while a crawl may go on writing it (WAL).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

import uvicorn
import yaml
from datasette.app import Datasette
from datasette.database import Database

PROJECT = Path(__file__).resolve().parent.parent
DATASETTE_DIR = PROJECT / "datasette"
DATABASE_NAME = "news"
HOST = "127.0.0.1"
# Facet suggestions try every column as a facet on every page: over 100k articles that alone made a
# search page four times slower (bench/PROFILE.md), and the useful facets are configured anyway. A facet
# that cannot be counted in 200 ms (a very broad search) is left out rather than waited for.
# Table cells show the start of a body, the article page all of it.
SETTINGS = {"suggest_facets": False, "facet_time_limit_ms": 200, "sql_time_limit_ms": 3000,
            "truncate_cells_html": 280}


def build_datasette(db_path: Path) -> Datasette:
    """A Datasette serving `db_path` read-only as "news", configured from the `datasette/` folder."""
    metadata = yaml.safe_load((DATASETTE_DIR / "metadata.yaml").read_text(encoding="utf-8"))
    datasette = Datasette(
        metadata=metadata,
        plugins_dir=str(DATASETTE_DIR / "plugins"),
        template_dir=str(DATASETTE_DIR / "templates"),
        static_mounts=[("alghad", str(DATASETTE_DIR / "static"))],
        settings=SETTINGS,
    )
    # With no file given, Datasette opens an in-memory database of its own; only the crawl is served.
    datasette.remove_database("_memory")
    datasette.add_database(Database(datasette, path=str(db_path), is_mutable=True), name=DATABASE_NAME)
    return datasette


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path("data/news.db"), help="the crawl database")
    parser.add_argument("--port", type=int, default=8001, help="TCP port on 127.0.0.1")
    args = parser.parse_args(argv)
    if not args.db.is_file():
        print(f"No database at {args.db}: run `make demo` or `make crawl` first.", file=sys.stderr)
        return 2
    datasette = build_datasette(args.db.resolve())
    asyncio.run(datasette.invoke_startup())
    print(f"Browsing {args.db} at http://{HOST}:{args.port}/{DATABASE_NAME}", flush=True)
    uvicorn.run(datasette.app(), host=HOST, port=args.port, log_level="warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())
