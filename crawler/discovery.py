"""Which URLs of a WordPress site a crawler should follow, and as what: pure rules, no Scrapy.

WordPress sites share their URL shapes: `/category/<slug>/` sections, `/page/N/` pagination, `/feed/`s,
`/wp-admin/`, `/wp-login.php`, `?replytocom=` comment replies, `/tag/`, `/author/` and `/YYYY/MM/` date
archives (an endless calendar). The spider follows sections, their pages and articles, and nothing else.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

from crawler.urls import canonicalize, is_same_site

EXCLUDED_PATHS = re.compile(
    r"""/wp-admin/|/wp-login\.php|/wp-json/|/xmlrpc\.php|/wp-content/|/wp-includes/
      |/feed/?$|/comments/feed|/trackback/?$|/embed/?$|/print/
      |/tag/|/author/|/search/|/attachment/
      |^/\d{4}(/\d{2}(/\d{2})?)?(/page/\d+)?/?$""",
    re.VERBOSE,
)
EXCLUDED_QUERY_KEYS = {"replytocom", "share", "s", "action", "redirect_to", "preview", "print", "like_comment",
                       "amp_markup"}
FILE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".pdf", ".zip", ".mp3", ".mp4", ".doc",
                 ".docx", ".xls", ".xlsx", ".css", ".js", ".ico")


def require_site_url(base_url: str) -> str:
    """`base_url` without its trailing slash; a ValueError that says what is wrong if it is not a site URL."""
    parts = urlsplit(base_url or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"base_url must be an http(s) URL such as https://www.alghadalsoury.com, got {base_url!r}")
    return base_url.rstrip("/")


def is_excluded(url: str) -> bool:
    """True for URLs that are never articles or sections: admin, login, feeds, files, tag/author/date archives."""
    parts = urlsplit(url)
    path = parts.path or "/"
    if path.lower().endswith(FILE_SUFFIXES) or EXCLUDED_PATHS.search(path):
        return True
    if re.search(r"/page/\d+/?$", path) and not path.startswith("/category/"):
        return True
    return any(key in EXCLUDED_QUERY_KEYS for key, _ in parse_qsl(parts.query, keep_blank_values=True))


def is_section_url(url: str) -> bool:
    """A category archive's first page: `/category/<slug>/` (nested categories included)."""
    path = urlsplit(url).path
    return bool(re.match(r"^/category/[^?#]+$", path)) and not re.search(r"/(page/\d+|feed)/?$", path)


def section_links(links: list[str], base_url: str) -> list[str]:
    """The distinct on-site section archives among a page's links, canonicalised, in page order."""
    sections = (canonicalize(link, base_url) for link in links if is_same_site(link, base_url))
    return list(dict.fromkeys(link for link in sections if is_section_url(link)))


def is_post_sitemap(url: str) -> bool:
    """Sitemaps that list posts (WordPress core `wp-sitemap-posts-post-N.xml`, Yoast `post-sitemap.xml`)."""
    name = urlsplit(url).path.rsplit("/", 1)[-1]
    return bool(re.match(r"^(wp-sitemap-posts-post-\d+|post-sitemap\d*|sitemap-posts?\S*)\.xml$", name))
