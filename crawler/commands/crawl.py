"""`scrapy crawl`, with an exit status that tells a scheduler how the run went.

0 healthy · 1 Scrapy could not start the crawl · 2 unhealthy (data stored, see `crawl_runs`) ·
3 refused: another run holds the database's lock · 4 interrupted (SIGTERM, maximum run time).
"""

from __future__ import annotations

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError


class Command(ScrapyCrawlCommand):
    def run(self, args, opts) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one spider name, e.g. scrapy crawl alghad")
        crawler = self._create_crawler(args[0])
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
        else:
            self.exitcode = crawler.stats.get_value("run/exit_status", 0)
