"""The spider for Al-Ghad Al-Souri (www.alghadalsoury.com): where to go, and the site's extraction profile.

Discovery: the home page's menu gives the sections; each section archive is paged through (rel="next");
every article page adds its related-news links and the on-site article links in its body; the RSS feed and
the WordPress sitemap add whatever the archives no longer list. Each URL is canonicalised before it is
requested, so URL variants (http/https, utm_*, AMP, upper-case escapes) are fetched once.

Usage: scrapy crawl alghad -a base_url=URL -s NEWS_DB=PATH
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone
from urllib.parse import urlsplit

import scrapy
from scrapy.utils.sitemap import Sitemap

from crawler import discovery, urls
from crawler.dates import parse_http_date
from crawler.extract import (
    WORDPRESS, all_links, extract_article, is_article_page, listing_links, next_page_link,
)

DEFAULT_BASE_URL = "https://www.alghadalsoury.com"

ALGHAD_PROFILE = replace(
    WORDPRESS,
    related_headings=("أخبار متعلقة", *WORDPRESS.related_headings),
    sections_label="أقسام",
)


class AlghadSpider(scrapy.Spider):
    name = "alghad"
    profile = ALGHAD_PROFILE

    def __init__(self, base_url: str = DEFAULT_BASE_URL, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.base_url = discovery.require_site_url(base_url)
        self.allowed_domains = [urlsplit(self.base_url).hostname]

    async def start(self):
        yield self.request(self.base_url + "/", self.parse_home)
        yield self.request(self.base_url + "/feed/", self.parse_feed)
        yield self.request(self.base_url + "/wp-sitemap.xml", self.parse_sitemap)

    def request(self, url: str, callback, **meta) -> scrapy.Request:
        """A request for the canonical form of `url`, counted, with failures recorded by `failed`."""
        self.crawler.stats.inc_value("discovery/requested")
        return scrapy.Request(urls.canonicalize(url, self.base_url), callback=callback, errback=self.failed,
                              meta=meta)

    def follow_all(self, candidate_urls, callback, kind: str):
        """Requests for the on-site URLs among `candidate_urls` that crawling rules allow."""
        for url in candidate_urls:
            self.crawler.stats.inc_value(f"discovery/found/{kind}")
            if not urls.is_same_site(url, self.base_url):
                self.crawler.stats.inc_value("discovery/skipped/offsite")
            elif discovery.is_excluded(url):
                self.crawler.stats.inc_value("discovery/skipped/excluded")
            else:
                yield self.request(url, callback)

    def parse_home(self, response):
        """The home page: its menu's sections, and the articles it lists."""
        sections = discovery.section_links(all_links(response.text, response.url), self.base_url)
        self.crawler.stats.set_value("discovery/sections", len(sections))
        yield from self.follow_all(sections, self.parse_listing, "section")
        yield from self.follow_articles(response)

    def parse_listing(self, response):
        """A section archive page: its articles, then its next (older) page."""
        self.crawler.stats.inc_value("pages/listing")
        yield from self.follow_articles(response)
        next_page = next_page_link(response.text, response.url)
        if next_page:
            yield from self.follow_all([next_page], self.parse_listing, "next-page")

    def follow_articles(self, response):
        listed = listing_links(response.text, response.url)
        permalinks = [u for u in all_links(response.text, response.url) if urls.is_article_url(u)]
        yield from self.follow_all(dict.fromkeys(listed + permalinks), self.parse_article, "article")

    def parse_feed(self, response):
        """RSS 2.0 or Atom: each entry is an article."""
        selector = scrapy.Selector(response, type="xml")
        entries = selector.xpath("//item/link/text()|//*[local-name()='entry']/*[local-name()='link']/@href")
        yield from self.follow_all([e.get().strip() for e in entries], self.parse_article, "feed")

    def parse_sitemap(self, response):
        """A sitemap index (follow its sitemaps) or a URL set (each URL is an article)."""
        sitemap = Sitemap(response.body)
        locations = [entry["loc"] for entry in sitemap if entry.get("loc")]
        if sitemap.type == "sitemapindex":
            post_sitemaps = [loc for loc in locations if discovery.is_post_sitemap(loc)]
            yield from self.follow_all(post_sitemaps, self.parse_sitemap, "sitemap")
        else:
            yield from self.follow_all(locations, self.parse_article, "sitemap-entry")

    def parse_article(self, response):
        """An article page: its item, then its related-news and in-body article links."""
        if not hasattr(response, "text"):
            self.crawler.stats.inc_value("pages/not_html")
            return
        if not (is_article_page(response.text, response.url, self.profile) or urls.is_article_url(response.url)):
            self.crawler.stats.inc_value("pages/not_article")
            return
        article = extract_article(response.text, response.url, self.profile)
        article.fetched_at = datetime.now(timezone.utc)
        article.status = response.status
        article.etag = header(response, "ETag")
        article.last_modified = header(response, "Last-Modified")
        if article.modified_at is None and article.last_modified:
            article.modified_at = parse_http_date(article.last_modified)
            article.provenance["modified_at"] = "http-last-modified"
        self.crawler.stats.inc_value("pages/article")
        yield article
        yield from self.follow_all([link.url for link in article.related], self.parse_article, "related")
        permalinks = [u for u in all_links(response.text, response.url) if urls.is_article_url(u)]
        yield from self.follow_all(permalinks, self.parse_article, "in-page")

    def failed(self, failure):
        """A request that failed for good (after retries): counted by reason."""
        reason = failure.value.__class__.__name__
        response = getattr(failure.value, "response", None)
        if response is not None:
            reason = f"http_{response.status}"
        self.crawler.stats.inc_value(f"pages/failed/{reason}")
        self.logger.warning("failed %s: %s", failure.request.url, reason)


def header(response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
