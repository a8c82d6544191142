"""What the site answers to a request target: the URL space of a WordPress site, as pure functions.

`Router.respond(target, base)` maps a request target (path and query) to a `Response`; it knows
nothing of sockets, attempts or faults (see `server.py` and `faults.py`). Responses are a pure
function of (site, theme, target, base), so the server may cache them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import parse_qs, unquote, urlsplit

from replica import feeds, links
from replica.model import POSTS_PER_PAGE, SECTIONS, Post, Site
from replica.slugs import utf8_uri_encode
from replica.themes import MENU_PAGES, ListingPage, Theme, esc, theme_class

HTML = "text/html; charset=UTF-8"
RSS = "application/rss+xml; charset=UTF-8"
XML = "application/xml; charset=UTF-8"
TEXT = "text/plain; charset=UTF-8"
PIXEL_GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
LOOP = {"/loop/a": "/loop/b", "/loop/b": "/loop/a"}

_ARTICLE = re.compile(r"^/(\d{4})/(\d{2})/(\d{2})/([^/]+)(/|/amp/|/feed/)?$")
_MONTH = re.compile(r"^/(\d{4})/(\d{2})/(?:page/(\d+)/)?$")
_ARCHIVE = re.compile(r"^/(category|tag|author)/([^/]+)/(?:page/(\d+)/|feed/)?$")
_SITEMAP_POSTS = re.compile(r"^/wp-sitemap-posts-post-(\d+)\.xml$")
_PRINT = re.compile(r"^/print/(\d+)/$")


@dataclass
class Response:
    status: int
    content_type: str = HTML
    body: bytes = b""
    last_modified: datetime | None = None
    headers: dict[str, str] = field(default_factory=dict)
    post_id: int | None = None  # the article a 200 HTML page shows


def _html(text: str, last_modified: datetime | None = None, status: int = 200) -> Response:
    return Response(status, HTML, text.encode("utf-8"), last_modified)


def _redirect(location: str, status: int = 301) -> Response:
    return Response(status, HTML, b"", None, {"Location": location})


class Router:
    """The site's URL space for one theme."""

    def __init__(self, site: Site, theme: str, hostile_posts: frozenset[int] = frozenset()):
        self.site = site
        self.theme = theme
        self.hostile_posts = hostile_posts

    def renderer(self, base: str) -> Theme:
        return theme_class(self.theme)(self.site, base)

    def respond(self, target: str, base: str) -> Response:
        parts = urlsplit(target)
        path = unquote(parts.path, errors="replace")
        query = parse_qs(parts.query)
        if path == "/":
            return self._root(query, base)
        if path == "/robots.txt":
            return Response(200, TEXT, feeds.robots_txt(base).encode())
        if path in LOOP:
            return _redirect(base + LOOP[path], 302)
        article = _ARTICLE.match(path)
        if article:
            return self._article(article, parts.query, base)
        month = _MONTH.match(path)
        if month:
            return self._month(int(month.group(1)), int(month.group(2)), int(month.group(3) or 1), base)
        archive = _ARCHIVE.match(path)
        if archive:
            return self._archive(archive.group(1), archive.group(2), archive.group(3), path.endswith("/feed/"), base)
        return self._other(path, base)

    # -- the root and shortlinks ------------------------------------------------------------
    def _root(self, query: dict, base: str) -> Response:
        if "p" in query:
            post = self.site.by_id.get(int(query["p"][0])) if query["p"][0].isdigit() else None
            if post is None or post.deleted:
                return self._not_found(base)
            return _redirect(base + post.path)
        if "s" in query:
            return _html(self.renderer(base).static_page("نتائج البحث", "<p>لم يتم العثور على نتائج.</p>", "/"))
        return _html(self.renderer(base).home_page(), self._newest_modified(self.site.listed_newest_first[:10]))

    # -- articles -------------------------------------------------------------------------
    def _article(self, match: re.Match, query: str, base: str) -> Response:
        year, month, day, slug, ending = match.groups()
        post = self.site.lookup(year, month, day, utf8_uri_encode(slug).lower())
        if post is None:
            return self._not_found(base)
        if post.deleted:
            page = self.renderer(base).static_page("المحتوى محذوف", "<p>هذا المحتوى لم يعد متاحاً.</p>", post.path)
            return _html(page, status=410)
        if ending is None:
            return _redirect(base + post.path + (f"?{query}" if query else ""))
        if ending == "/feed/":
            return Response(200, RSS, feeds.comments_feed(self.site, base, [post], post.path + "feed/").encode(), post.modified)
        page = self.renderer(base).article_page(post, hostile=post.id in self.hostile_posts)
        response = _html(page, post.modified)
        response.post_id = post.id
        return response

    # -- archives -----------------------------------------------------------------------------
    def _listing(self, heading: str, posts: list[Post], path: str, page: int, base: str,
                 page_limit: int | None = None, feed_path: str | None = None, empty_ok: bool = False,
                 calendar_month: tuple[int, int] | None = None) -> Response:
        pages = max(1, -(-len(posts) // POSTS_PER_PAGE))
        if page_limit is not None:
            pages = min(pages, page_limit)
        if page < 1 or page > pages or (not posts and not empty_ok):
            return self._not_found(base)
        shown = posts[(page - 1) * POSTS_PER_PAGE : page * POSTS_PER_PAGE]
        listing = ListingPage(
            heading=heading if page == 1 else f"{heading} – صفحة {page}",
            posts=shown,
            path=links.paged(path, page),
            next_path=links.paged(path, page + 1) if page < pages else None,
            prev_path=links.paged(path, page - 1) if page > 1 else None,
            feed_path=feed_path,
        )
        renderer = self.renderer(base)
        renderer.calendar_month = calendar_month
        return _html(renderer.listing_page(listing), self._newest_modified(shown))

    def _archive(self, kind: str, slug: str, page: str | None, is_feed: bool, base: str) -> Response:
        encoded = utf8_uri_encode(slug).lower()
        if kind == "category":
            section = next((s for s in SECTIONS if s.encoded_slug == encoded), None)
            if section is None:
                return self._not_found(base)
            posts = self.site.section_posts(section)
            path = links.section_path(section)
            if is_feed:
                return Response(200, RSS, feeds.posts_feed(self.site, base, posts, f"» {section.name}", path + "feed/").encode())
            return self._listing(f"الأرشيف: {section.name}", posts, path, int(page or 1), base,
                                 self.site.archive_page_limit(section), path + "feed/", empty_ok=True)
        if kind == "tag":
            posts = self.site.tag_posts.get(slug, [])
            name = next((n for n, s in posts[0].tags if s == slug), slug) if posts else slug
            path = f"/tag/{encoded}/"
        else:
            posts = self.site.author_posts.get(slug, [])
            name = posts[0].author[0] if posts else slug
            path = f"/author/{encoded}/"
        if is_feed:
            return Response(200, RSS, feeds.posts_feed(self.site, base, posts, f"» {name}", path + "feed/").encode())
        return self._listing(f"الأرشيف: {name}", posts, path, int(page or 1), base)

    def _month(self, year: int, month: int, page: int, base: str) -> Response:
        """Date archives answer for every month, even empty ones: with the calendar's links to the
        months before and after, they go on forever (the calendar trap)."""
        if not (1000 <= year <= 9999 and 1 <= month <= 12):
            return self._not_found(base)
        posts = self.site.month_posts.get((year, month), [])
        return self._listing(f"الأرشيف الشهري: {month:02d}/{year}", posts, f"/{year}/{month:02d}/", page, base,
                             empty_ok=True, calendar_month=(year, month))

    # -- everything else -------------------------------------------------------------------
    def _other(self, path: str, base: str) -> Response:
        if path == "/feed/":
            return Response(200, RSS, feeds.posts_feed(self.site, base, self.site.listed_newest_first, "", "/feed/").encode())
        if path == "/comments/feed/":
            commented = [p for p in self.site.listed_newest_first[:50] if self.site.article(p.id).comments]
            return Response(200, RSS, feeds.comments_feed(self.site, base, commented[:10], "/comments/feed/").encode())
        if path == "/wp-sitemap.xml":
            return Response(200, XML, feeds.sitemap_index(self.site, base).encode())
        sitemap = _SITEMAP_POSTS.match(path)
        if sitemap:
            text = feeds.posts_sitemap(self.site, base, int(sitemap.group(1)))
            return Response(200, XML, text.encode()) if text else self._not_found(base)
        if path == "/wp-sitemap-taxonomies-category-1.xml":
            return Response(200, XML, feeds.categories_sitemap(base, [links.section_path(s) for s in SECTIONS]).encode())
        printed = _PRINT.match(path)
        if printed:
            post = self.site.by_id.get(int(printed.group(1)))
            if post is None or post.deleted:
                return self._not_found(base)
            body = "".join(f"<p>{esc(p)}</p>" for p in self.site.paragraphs(post.id))
            return _html(self.renderer(base).static_page(post.title, body, links.print_path(post)))
        if path == "/wp-login.php":
            form = '<form name="loginform" method="post"><input type="text" name="log"><input type="password" name="pwd"></form>'
            return _html(self.renderer(base).static_page("تسجيل الدخول", form, "/wp-login.php"))
        if path == "/wp-admin/admin-ajax.php":
            return Response(400, TEXT, b"0")
        if path.startswith("/wp-admin"):
            return _redirect(f"{base}/wp-login.php?redirect_to=%2Fwp-admin%2F&reauth=1", 302)
        if path.startswith("/wp-content/uploads/"):
            return Response(200, "image/gif", PIXEL_GIF)
        if path.startswith("/wp-content/themes/"):
            return Response(200, "text/css", b"body{direction:rtl}")
        for label, page_path in MENU_PAGES:
            if path == unquote(page_path):
                about = f"<p>{esc(label)} – تيار الغد السوري، تأسس في القاهرة في آذار/مارس 2016.</p>"
                return _html(self.renderer(base).static_page(label, about, page_path))
        return self._not_found(base)

    def _not_found(self, base: str) -> Response:
        page = self.renderer(base).static_page("الصفحة غير موجودة", "<p>عذراً، الصفحة المطلوبة غير موجودة.</p>", "/404/")
        return _html(page, status=404)

    def _newest_modified(self, posts: list[Post]) -> datetime:
        return max((p.modified for p in posts), default=self.site.now)
