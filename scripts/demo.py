"""`make demo`: serve the offline replica, crawl it into a database, stop the replica, say how to browse.

The crawl is the real `scrapy crawl alghad` command; only politeness is turned down, since the site is our
own replica on the loopback interface.
"""

import argparse
import subprocess
import sys
from pathlib import Path

from replica.testing import running

LOCAL_SPEED = ["-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0", "-s", "CONCURRENT_REQUESTS=16",
               "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16", "-s", "LOG_LEVEL=INFO"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--theme", default="classic")
    parser.add_argument("--db", default="data/news.db")
    args = parser.parse_args()
    Path(args.db).parent.mkdir(parents=True, exist_ok=True)
    with running(articles=args.articles, seed=args.seed, theme=args.theme) as base_url:
        print(f"replica: {args.articles} articles at {base_url}", flush=True)
        command = [sys.executable, "-m", "scrapy", "crawl", "alghad", "-a", f"base_url={base_url}",
                   "-s", f"NEWS_DB={args.db}", *LOCAL_SPEED]
        status = subprocess.call(command)
    if status == 0:
        print(f"\nCrawled into {args.db}. Browse it with:\n    make browse DB={args.db}\n"
              "then open http://127.0.0.1:8001/")
    return status


if __name__ == "__main__":
    sys.exit(main())
