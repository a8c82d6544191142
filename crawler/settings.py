"""Scrapy settings for the news crawler: polite defaults for the real site, the pipeline order, `NEWS_DB`.

Every value here is a default meant for the live site. Tests and benchmarks turn politeness down on the
command line (`-s AUTOTHROTTLE_ENABLED=0 …`) against the local replica; nothing here is relaxed for them.
"""

BOT_NAME = "alghad"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"
# `scrapy crawl` with exit statuses for schedulers (crawler/commands/crawl.py).
COMMANDS_MODULE = "crawler.commands"

# Where the crawl is stored (SQLite, created on first use).
NEWS_DB = "data/news.db"

# Manners for a real site: identify ourselves, obey robots.txt, adapt speed to the server's latency.
USER_AGENT = "alghad-news-crawler/0.1 (+https://github.com/alghad-news-crawler; archival research crawler)"
ROBOTSTXT_OBEY = True
DOWNLOADER_MIDDLEWARES = {
    # Scrapy's own, fixed so that requests waiting for robots.txt are checked too (see the class).
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.RobotsTxtMiddleware": 100,
    # A page cut mid-document with a consistent Content-Length: retried, then failed (never an item).
    "crawler.middlewares.TruncatedHtmlMiddleware": 560,
}
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
RETRY_ENABLED = True
RETRY_TIMES = 3
REDIRECT_MAX_TIMES = 5
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False

# Article pages of this site are small; anything huge is not an article.
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024

ITEM_PIPELINES = {
    "pipelines.validate.ValidatePipeline": 100,
    "pipelines.clean.CleanPipeline": 200,
    "pipelines.dedupe.DedupePipeline": 300,
    "pipelines.store.StorePipeline": 400,
}

# Incremental runs (see spiders/alghad.py): known articles published within this many days are re-checked
# with a conditional GET; section archives are paged this many pages past the last one holding news.
RECHECK_RECENT_DAYS = 7
INCREMENTAL_MARGIN_PAGES = 1
# Articles the sitemap does not list give no sign of change: this share of them (seen longest ago first)
# is re-checked each run, so each is looked at about once a week with daily runs.
RECHECK_UNLISTED_SHARE = 0.15

# One `crawl_runs` row per run, a lock against overlapping runs, and the health verdict (crawler/runs.py).
EXTENSIONS = {"crawler.extensions.RunRecorder": 500}
HEALTH_COVERAGE_DROP_POINTS = 20.0
HEALTH_MAX_ERROR_RATE = 0.2
HEALTH_RECENT_RUNS = 5
HEALTH_MIN_ITEMS = 50  # fewer articles than this say too little about coverage (a quiet day's run)
# The longest a scheduled run may take, in seconds (Scrapy's CloseSpider extension); the run then ends
# as "timed_out" with what it stored, and the next run goes on from there.
CLOSESPIDER_TIMEOUT = 6 * 3600

FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
