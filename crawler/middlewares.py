"""Downloader middlewares of the crawler."""

from __future__ import annotations

from twisted.internet.defer import Deferred
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as ScrapyRobotsTxtMiddleware
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached


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
