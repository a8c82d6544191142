"""The spider for Al-Ghad Al-Souri (www.alghadalsoury.com): where to go, and the site's extraction profile.

Discovery: the home page's menu gives the sections; each section archive is paged through (rel="next");
every article page adds its related-news links and the on-site article links in its body; the RSS feed and
the WordPress sitemap add whatever the archives no longer list. Each URL is canonicalised before it is
requested, so URL variants (http/https, utm_*, AMP, upper-case escapes) are fetched once.

Incremental by default: what NEWS_DB already knows is not fetched again unless the sitemap says it changed,
it is young enough to be re-checked (a conditional GET), it left the sitemap (deleted?), or it is one of the
articles the sitemap never listed whose turn it is to be re-checked; section archives are paged only while
they hold something new, plus a margin. `-a mode=full` fetches everything.

Failures: a request that fails for good (after Scrapy's retries, and the truncated-page retries of
`crawler.middlewares`) becomes a `FetchFailure` item, kept in NEWS_DB's `failures`; the next incremental run
requests those URLs again at its start (the home page, feed and sitemaps it requests anyway), and a URL that
answers leaves `failures` (`FetchRecovered`).

Usage: scrapy crawl alghad -a base_url=URL [-a mode=full] -s NEWS_DB=PATH
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone
from urllib.parse import urlsplit

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.sitemap import Sitemap

from crawler import discovery, urls
from crawler.dates import parse_http_date
from crawler.extract import (
    WORDPRESS, Page, all_links, article_from, is_article_page, listing_links, next_page_link,
)
from crawler.items import FetchFailure, FetchRecovered, PageStatus, SitemapListing
from crawler.state import CrawlState

DEFAULT_BASE_URL = "https://www.alghadalsoury.com"
MODES = ("incremental", "full")
# A known article answering these is reported as such (not modified, gone) rather than as a failure.
KNOWN_PAGE_STATUSES = [304, 404, 410]

ALGHAD_PROFILE = replace(
    WORDPRESS,
    related_headings=("أخبار متعلقة", *WORDPRESS.related_headings),
    sections_label="أقسام",
)


class AlghadSpider(scrapy.Spider):
    name = "alghad"
    profile = ALGHAD_PROFILE

    def __init__(self, base_url: str = DEFAULT_BASE_URL, mode: str = "incremental", *args, **kwargs):
        super().__init__(*args, **kwargs)
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
        self.base_url = discovery.require_site_url(base_url)
        self.mode = mode
        self.allowed_domains = [urlsplit(self.base_url).hostname]
        self.state = CrawlState()
        self.skipped_known: set[str] = set()
        self.sitemap_entries: dict[str, str | None] = {}
        self.sitemaps_pending = 0
        self.sitemap_failed = False

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.recheck_days = crawler.settings.getfloat("RECHECK_RECENT_DAYS")
        spider.margin_pages = crawler.settings.getint("INCREMENTAL_MARGIN_PAGES")
        if spider.mode == "incremental":
            # Read before this run records itself in `crawl_runs`, so "the last run" is the previous one.
            spider.state = CrawlState.load(crawler.settings.get("NEWS_DB"),
                                           crawler.settings.getfloat("RECHECK_UNLISTED_SHARE"))
        return spider

    async def start(self):
        if self.mode == "incremental":
            self.logger.info("incremental run: %d known URLs, last run %s", len(self.state.articles),
                             "completed" if self.state.last_run_completed else "did not complete: resuming")
        self.sitemaps_pending = 1
        yield self.request(self.base_url + "/", self.parse_home)
        yield self.request(self.base_url + "/feed/", self.parse_feed)
        yield self.request(self.base_url + "/wp-sitemap.xml", self.parse_sitemap, errback=self.sitemap_failure)
        for request in self.follow_articles(self.state.pending_related, "pending-related"):
            yield request
        for url in self.state.unlisted_due:
            self.crawler.stats.inc_value("discovery/rechecked/unlisted")
            yield self.conditional_request(url, self.state.known(url))
        for url in sorted(self.state.failed):
            if self.is_start_page(url):
                continue  # requested above, or by the sitemap index, as every run does
            self.crawler.stats.inc_value("discovery/retried_failures")
            if urls.is_article_url(url):
                yield self.conditional_request(url, self.state.known(url))
            else:
                yield self.request(url, self.parse_retried)

    # ------------------------------------------------------------------ requests

    def request(self, url: str, callback, errback=None, **meta) -> scrapy.Request:
        """A request for the canonical form of `url`, counted, with failures recorded by `failed`."""
        self.crawler.stats.inc_value("discovery/requested")
        return scrapy.Request(urls.canonicalize(url, self.base_url), callback=callback,
                              errback=errback or self.failed, meta=meta)

    def allowed(self, url: str, kind: str) -> bool:
        """True for an on-site URL that crawling rules allow; every URL met is counted by kind and outcome."""
        self.crawler.stats.inc_value(f"discovery/found/{kind}")
        if not urls.is_same_site(url, self.base_url):
            self.crawler.stats.inc_value("discovery/skipped/offsite")
            return False
        if discovery.is_excluded(url):
            self.crawler.stats.inc_value("discovery/skipped/excluded")
            return False
        return True

    def on_site(self, candidate_urls, kind: str):
        """The canonical forms of the allowed URLs among `candidate_urls`."""
        return (urls.canonicalize(url, self.base_url) for url in candidate_urls if self.allowed(url, kind))

    def follow_all(self, candidate_urls, callback, kind: str, errback=None):
        for url in self.on_site(candidate_urls, kind):
            yield self.request(url, callback, errback)

    def follow_articles(self, candidate_urls, kind: str, lastmods: dict[str, str | None] | None = None):
        """Requests for the articles among `candidate_urls` that this run should fetch (see `article_request`)."""
        for url in dict.fromkeys(self.on_site(candidate_urls, kind)):
            request = self.article_request(url, (lastmods or {}).get(url))
            if request is not None:
                yield request

    def article_request(self, url: str, lastmod: str | None = None) -> scrapy.Request | None:
        """A request for an article unless the database knows it unchanged; None when it is skipped."""
        known = self.state.known(url) if self.mode == "incremental" else None
        if known is None or self.state.changed_in_sitemap(url, lastmod):
            return self.request(url, self.parse_article)
        if self.state.is_recent(known, datetime.now(timezone.utc), self.recheck_days):
            self.crawler.stats.inc_value("discovery/rechecked/recent")
            return self.conditional_request(url, known)
        if url not in self.skipped_known:
            self.skipped_known.add(url)
            self.crawler.stats.set_value("discovery/skipped/known", len(self.skipped_known))
        return None

    def conditional_request(self, url: str, known=None) -> scrapy.Request:
        """A GET that the server may answer 304 (not modified), or 404/410 for an article gone since."""
        request = self.request(url, self.parse_article, handle_httpstatus_list=KNOWN_PAGE_STATUSES)
        if known is not None and known.etag:
            request.headers["If-None-Match"] = known.etag
        if known is not None and known.last_modified:
            request.headers["If-Modified-Since"] = known.last_modified
        return request

    # ------------------------------------------------------------------ callbacks

    def is_start_page(self, url: str) -> bool:
        """The home page, the feed and the sitemaps: every run requests them."""
        path = urlsplit(url).path
        return url in (self.base_url, self.base_url + "/") or path.endswith(".xml") or discovery.is_excluded(url)

    def parse_retried(self, response):
        """A page that failed in an earlier run and is not an article permalink: a shortlink, or an archive page."""
        if not hasattr(response, "text") or urls.is_article_url(response.url) or is_article_page(self.page(response)):
            yield from self.parse_article(response)
        else:
            yield from self.parse_listing(response)

    def recovered(self, response):
        """`FetchRecovered` for the URLs of `response` (redirects included) that `failures` holds."""
        for url in {response.url, *response.meta.get("redirect_urls", [])}:
            url = urls.canonicalize(url, self.base_url)
            if url in self.state.failed:
                self.state.failed.discard(url)
                yield FetchRecovered(url=url)

    def parse_home(self, response):
        """The home page: its menu's sections, and the articles it lists."""
        yield from self.recovered(response)
        page = self.page(response)
        sections = discovery.section_links(all_links(page), self.base_url)
        self.crawler.stats.set_value("discovery/sections", len(sections))
        yield from self.follow_all(sections, self.parse_listing, "section")
        yield from self.follow_articles(self.listed_articles(page), "article")

    def parse_listing(self, response):
        """A section archive page: its articles, then its next (older) page while pages still hold news."""
        self.crawler.stats.inc_value("pages/listing")
        yield from self.recovered(response)
        page = self.page(response)
        requests = list(self.follow_articles(self.listed_articles(page), "article"))
        yield from requests
        quiet_pages = 0 if requests else response.meta.get("quiet_pages", 0) + 1
        next_page = next_page_link(page)
        if not next_page:
            return
        if self.mode == "full" or not self.state.last_run_completed or quiet_pages <= self.margin_pages:
            for request in self.follow_all([next_page], self.parse_listing, "next-page"):
                request.meta["quiet_pages"] = quiet_pages
                yield request
        else:
            self.crawler.stats.inc_value("discovery/paging_stopped")

    def page(self, response) -> Page:
        """The response parsed once, for every extractor and link finder that reads it."""
        return Page(response.text, response.url, self.profile)

    def listed_articles(self, page: Page) -> list[str]:
        permalinks = [u for u in all_links(page) if urls.is_article_url(u)]
        return list(dict.fromkeys(listing_links(page) + permalinks))

    def parse_feed(self, response):
        """RSS 2.0 or Atom: each entry is an article."""
        yield from self.recovered(response)
        selector = scrapy.Selector(response, type="xml")
        entries = selector.xpath("//item/link/text()|//*[local-name()='entry']/*[local-name()='link']/@href")
        yield from self.follow_articles([e.get().strip() for e in entries], "feed")

    def parse_sitemap(self, response):
        """A sitemap index (follow its post sitemaps) or a URL set (each URL is an article, with lastmod)."""
        yield from self.recovered(response)
        sitemap = Sitemap(response.body)
        entries = [entry for entry in sitemap if entry.get("loc")]
        self.sitemaps_pending -= 1
        if sitemap.type == "sitemapindex":
            post_sitemaps = [entry["loc"] for entry in entries if discovery.is_post_sitemap(entry["loc"])]
            for request in self.follow_all(post_sitemaps, self.parse_sitemap, "sitemap", self.sitemap_failure):
                self.sitemaps_pending += 1
                yield request
        else:
            lastmods = {urls.canonicalize(entry["loc"], self.base_url): entry.get("lastmod")
                        for entry in entries if self.allowed(entry["loc"], "sitemap-entry")}
            self.sitemap_entries.update(lastmods)
            yield from self.follow_articles(list(lastmods), "sitemap-entry", lastmods)
        if self.sitemaps_pending == 0:
            yield from self.sitemap_read()

    def sitemap_failure(self, failure):
        self.sitemap_failed = True
        self.sitemaps_pending -= 1
        yield from self.failed(failure)

    def sitemap_read(self):
        """Once every post sitemap is read: store the listing, and re-check known articles that left it."""
        if self.sitemap_failed or not self.sitemap_entries:
            return
        for url in self.state.left_sitemap(set(self.sitemap_entries)):
            self.crawler.stats.inc_value("discovery/rechecked/left_sitemap")
            yield self.conditional_request(url, self.state.known(url))
        yield SitemapListing(sitemap_url=self.base_url + "/wp-sitemap.xml", entries=self.sitemap_entries,
                             fetched_at=datetime.now(timezone.utc))

    def parse_article(self, response):
        """An article page: its item, then its related-news and in-body article links."""
        yield from self.recovered(response)
        if response.status in KNOWN_PAGE_STATUSES:
            self.crawler.stats.inc_value(f"pages/known_status/{response.status}")
            yield PageStatus(url=urls.canonicalize(response.url, self.base_url), status=response.status,
                             fetched_at=datetime.now(timezone.utc))
            return
        if not hasattr(response, "text"):
            self.crawler.stats.inc_value("pages/not_html")
            return
        page = self.page(response)
        if not (is_article_page(page) or urls.is_article_url(response.url)):
            self.crawler.stats.inc_value("pages/not_article")
            return
        article = article_from(page, response.text)
        article.fetched_at = datetime.now(timezone.utc)
        article.status = response.status
        article.etag = header(response, "ETag")
        article.last_modified = header(response, "Last-Modified")
        if article.modified_at is None and article.last_modified:
            article.modified_at = parse_http_date(article.last_modified)
            article.provenance["modified_at"] = "http-last-modified"
        self.crawler.stats.inc_value("pages/article")
        yield article
        yield from self.follow_articles([link.url for link in article.related], "related")
        permalinks = [u for u in all_links(page) if urls.is_article_url(u)]
        yield from self.follow_articles(permalinks, "in-page")

    def failed(self, failure):
        """A request that failed for good (after retries): counted by reason and recorded as a `FetchFailure`;
        a refused one (robots.txt, redirect limit, off-site) is not a failure."""
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            self.crawler.stats.inc_value("pages/refused")
            return
        reason = failure.value.__class__.__name__
        response = getattr(failure.value, "response", None)
        if response is not None:
            reason = f"http_{response.status}"
        self.crawler.stats.inc_value(f"pages/failed/{reason}")
        self.logger.warning("failed %s: %s", failure.request.url, reason)
        yield FetchFailure(url=urls.canonicalize(failure.request.url, self.base_url), reason=reason,
                           failed_at=datetime.now(timezone.utc))


def header(response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
