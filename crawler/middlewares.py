"""Downloader middlewares of the crawler."""

from __future__ import annotations

from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.downloadermiddlewares.robotstxt import (
    RobotsTxtMiddleware as ScrapyRobotsTxtMiddleware,
)
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse, Request, Response
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

TRUNCATED_HTML_REASON = "truncated_html"
# Where the end tag is looked for: servers may append a little after </html> (a comment, whitespace).
HTML_END_WINDOW = 4096


class RobotsTxtMiddleware(ScrapyRobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, with every request that waits for robots.txt checked against it.

    In Scrapy 2.13+ the requests that arrive while robots.txt is still downloading all await one shared
    Deferred; the first awaiter consumes its result and the others receive None, which the middleware
    treats as "no robots.txt", so they go out unchecked (seen here: a start request under a disallowed
    path was fetched). Each waiter here gets its own Deferred fed from the shared one.
    """

    async def robot_parser(self, request):
        pending = self._parsers.get(urlparse_cached(request).netloc)
        if not isinstance(pending, Deferred):
            return await super().robot_parser(request)
        own: Deferred = Deferred()

        def hand_on(parser):
            own.callback(parser)
            return parser

        pending.addCallback(hand_on)
        return await maybe_deferred_to_future(own)


class TruncatedHtml(Exception):
    """An HTML page still cut short after every retry: the request fails (its errback runs), no item is made."""


def is_truncated_html(response: Response) -> bool:
    """True for a successful HTML answer whose body never reaches `</html>`.

    A connection closed early with a Content-Length that promised more is caught by Scrapy itself
    (ResponseDataLossError); a page cut mid-document with a consistent length shows only in its markup.
    Every WordPress page ends with `</html>`.
    """
    if not isinstance(response, HtmlResponse) or not 200 <= response.status < 300:
        return False
    return b"</html" not in response.body[-HTML_END_WINDOW:].lower()


class TruncatedHtmlMiddleware:
    """Retries a truncated HTML page (reason "truncated_html", Scrapy's retry counts and stats); gives up
    by failing the request with `TruncatedHtml`, so a cut page never becomes an item.

    Settings: TRUNCATED_HTML_RETRY_ENABLED (default True); RETRY_TIMES bounds the retries, shared with
    Scrapy's RetryMiddleware through the request's `retry_times`. Its order must sit below
    HttpCompressionMiddleware's (590) so that it sees decompressed bodies.
    """

    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> TruncatedHtmlMiddleware:
        if not crawler.settings.getbool("TRUNCATED_HTML_RETRY_ENABLED", True):
            raise NotConfigured
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Request | Response:
        if not is_truncated_html(response):
            return response
        self.crawler.stats.inc_value("downloader/truncated_html")
        retry = get_retry_request(request, spider=self.crawler.spider, reason=TRUNCATED_HTML_REASON)
        if retry is not None:
            return retry
        raise TruncatedHtml(f"HTML cut short ({len(response.body)} bytes, no </html>): {response.url}")
