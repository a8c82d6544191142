"""`scrapy crawl`, with an exit status that tells a scheduler how the run went.

0 healthy · 1 Scrapy could not start the crawl · 2 unhealthy (data stored, see `crawl_runs`) ·
3 refused: another run holds the database's lock · 4 interrupted (SIGTERM, maximum run time) ·
5 storage error: NEWS_DB cannot be opened or written (checked before the crawl starts, and on every write).
"""

from __future__ import annotations

import sys

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from crawler import runs, store


class Command(ScrapyCrawlCommand):
    def run(self, args, opts) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one spider name, e.g. scrapy crawl alghad")
        try:
            store.open_db(self.settings.get("NEWS_DB")).close()
        except store.StorageError as error:
            print(f"error: {error}", file=sys.stderr)
            self.exitcode = runs.EXIT_STORAGE_ERROR
            return
        crawler = self._create_crawler(args[0])
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
        else:
            self.exitcode = crawler.stats.get_value("run/exit_status", 0)
