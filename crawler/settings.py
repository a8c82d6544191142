"""Scrapy settings for the news crawler: polite defaults for the real site, the pipeline order, `NEWS_DB`.

Every value here is a default meant for the live site. Tests and benchmarks turn politeness down on the
command line (`-s AUTOTHROTTLE_ENABLED=0 …`) against the local replica; nothing here is relaxed for them.
"""

BOT_NAME = "alghad"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

# Where the crawl is stored (SQLite, created on first use).
NEWS_DB = "data/news.db"

# Manners for a real site: identify ourselves, obey robots.txt, adapt speed to the server's latency.
USER_AGENT = "alghad-news-crawler/0.1 (+https://github.com/alghad-news-crawler; archival research crawler)"
ROBOTSTXT_OBEY = True
DOWNLOADER_MIDDLEWARES = {
    # Scrapy's own, fixed so that requests waiting for robots.txt are checked too (see the class).
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.RobotsTxtMiddleware": 100,
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

FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
