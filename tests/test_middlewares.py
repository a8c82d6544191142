"""Downloader middlewares: a page cut mid-document is told from a complete one, retried, then failed.

The robots.txt fix is tested end to end by tests/test_spider.py (nothing disallowed is fetched); the
truncated-page retry end to end by tests/test_reliability.py against the replica's cut-html fault.
"""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scrapy import Spider
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse, Request, TextResponse, XmlResponse
from scrapy.utils.test import get_crawler

from crawler.middlewares import (
    HTML_END_WINDOW,
    TRUNCATED_HTML_REASON,
    TruncatedHtml,
    TruncatedHtmlMiddleware,
    is_truncated_html,
)

URL = "http://127.0.0.1:8123/2017/10/21/a/"
PAGE = '<!DOCTYPE html>\n<html lang="ar"><head><meta charset="UTF-8"></head><body><p>خبر</p></body></html>'


def html(body: str | bytes, status: int = 200, response_class=HtmlResponse):
    body = body.encode("utf-8") if isinstance(body, str) else body
    return response_class(URL, status=status, body=body, request=Request(URL))


@pytest.mark.parametrize("response, truncated", [
    (html(PAGE), False),
    (html(PAGE + "\n<!-- cached 0.01 s -->\n\n"), False),
    (html(PAGE.upper()), False),
    (html(PAGE.encode("cp1256")), False),
    (html(PAGE[: len(PAGE) // 2]), True),
    (html(PAGE.replace("</html>", "")), True),
    (html(""), True),
    # Only successful HTML answers are judged: error pages, redirects and other types pass as they are.
    (html(PAGE[:40], status=404), False),
    (html(PAGE[:40], status=503), False),
    (html(b"", status=301), False),
    (html("<?xml version='1.0'?><urlset>", response_class=XmlResponse), False),
    (html("User-agent: *", response_class=TextResponse), False),
])
def test_is_truncated_html(response, truncated):
    assert is_truncated_html(response) is truncated


body_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=3 * HTML_END_WINDOW)


@settings(max_examples=60, deadline=None)
@given(text=body_text, data=st.data())
def test_a_document_is_complete_and_every_cut_before_its_end_tag_is_truncated(text, data):
    assume("</html" not in text.lower())
    document = f"<html><body><p>{text}</p></body></html>"
    assert not is_truncated_html(html(document))
    cut = data.draw(st.integers(0, document.lower().rindex("</html")), label="cut")
    assert is_truncated_html(html(document[:cut]))


def middleware(**settings_) -> TruncatedHtmlMiddleware:
    crawler = get_crawler(Spider, {"RETRY_TIMES": 2, **settings_})
    crawler.spider = crawler._create_spider("test")
    return TruncatedHtmlMiddleware.from_crawler(crawler)


def test_a_complete_page_passes_untouched():
    truncated = middleware()
    response = html(PAGE)
    assert truncated.process_response(response.request, response) is response
    assert truncated.crawler.stats.get_value("downloader/truncated_html") is None


def test_a_truncated_page_is_retried_then_fails_the_request():
    truncated = middleware()
    request = Request(URL, meta={"note": "kept"})
    for attempt in (1, 2):
        retry = truncated.process_response(request, html(PAGE[:50]))
        assert isinstance(retry, Request)
        assert (retry.url, retry.meta["retry_times"], retry.meta["note"], retry.dont_filter) == \
            (URL, attempt, "kept", True)
        request = retry
    with pytest.raises(TruncatedHtml, match="no </html>"):
        truncated.process_response(request, html(PAGE[:50]))
    stats = truncated.crawler.stats
    assert stats.get_value("downloader/truncated_html") == 3
    assert stats.get_value(f"retry/reason_count/{TRUNCATED_HTML_REASON}") == 2
    assert stats.get_value("retry/max_reached") == 1


def test_the_retry_can_be_turned_off():
    with pytest.raises(NotConfigured):
        middleware(TRUNCATED_HTML_RETRY_ENABLED=False)
