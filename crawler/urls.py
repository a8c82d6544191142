"""URL identity for a WordPress news site: one canonical string for every way a URL is written.

The same article is met under many spellings: http or https, with or without `www.`, percent-encoded
in upper- or lower-case hex or not at all, with tracking parameters from a share button, as its AMP
page, with a fragment, without the trailing slash. `canonicalize` folds all of them into the one form
WordPress itself writes (lower-case hex, trailing slash), so an indexed string comparison decides
"same URL". `?p=ID` shortlinks are kept as they are: only the site knows which permalink they stand
for, so the crawler maps them through its table of aliases.

Pure functions on strings, no Scrapy: the spider, the pipelines and the tests share them.
"""

from __future__ import annotations

import functools
import re
from datetime import date
from urllib.parse import (
    parse_qsl,
    quote,
    unquote_to_bytes,
    urlencode,
    urljoin,
    urlsplit,
    urlunsplit,
)

# Query parameters added by share buttons, ad and mail campaigns; they never select content.
TRACKING_PARAMETERS = frozenset({
    "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "igshid",
    "mc_cid", "mc_eid", "_ga", "_gl", "mkt_tok", "ref_src",
})
TRACKING_PREFIXES = ("utm_",)
# `?amp=1` (or a bare `?amp`) asks WordPress AMP plugins for the AMP rendering of the same post.
AMP_PARAMETERS = frozenset({"amp"})
# WordPress's "reply to this comment" links: the same post page with the comment form moved.
COMMENT_PARAMETERS = frozenset({"replytocom"})

DEFAULT_PORTS = {"http": 80, "https": 443}

# Characters left as they are inside a path segment (RFC 3986 pchar minus '%'); everything else,
# non-ASCII included, is percent-encoded.
PATH_SEGMENT_SAFE = "!$&'()*+,;=:@-._~"
QUERY_SAFE = "!$'()*,;:@/?-._~"

# WordPress REST routes are not permalinks: WordPress does not redirect them to a slash-ended form.
NO_TRAILING_SLASH_PREFIXES = ("/wp-json/",)

_PERCENT_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
_DATE_PREFIX = re.compile(r"^/(\d{4})/(\d{2})/(\d{2})/")
_ARTICLE_PATH = re.compile(r"^/\d{4}/\d{2}/\d{2}/[^/]+/$")


@functools.lru_cache(maxsize=65_536)
def canonicalize(url: str, base_url: str | None = None) -> str:
    """Return the one canonical spelling of `url` (resolved against `base_url` when relative).

    On the site of `base_url` the scheme and the `www.` form of the host are those of `base_url`;
    elsewhere (or without a base) the scheme is kept and a leading `www.` dropped. The result has
    lower-case host, no default port, no fragment, no tracking, AMP or reply-to-comment parameters,
    sorted query parameters, percent-encoding in WordPress's lower-case hex, no `/amp/` suffix, and
    a trailing slash on path-like URLs. Applying it twice changes nothing.
    """
    absolute = urljoin(base_url, url.strip()) if base_url else url.strip()
    parts = urlsplit(absolute)
    scheme = parts.scheme.lower()
    host = _host_key(parts.hostname or "")
    port = _explicit_port(parts.port, scheme)
    if base_url and _host_key(urlsplit(base_url).hostname or "") == host:
        base = urlsplit(base_url)
        scheme = base.scheme.lower()
        host = (base.hostname or "").lower()
        port = _explicit_port(base.port, scheme)
    netloc = host if port is None else f"{host}:{port}"
    return urlunsplit((scheme, netloc, _canonical_path(parts.path), _canonical_query(parts.query), ""))


def shortlink_id(url: str) -> int | None:
    """The post ID of a WordPress `/?p=ID` shortlink, or None when `url` is not one."""
    parts = urlsplit(url)
    if parts.path not in ("", "/", "/index.php"):
        return None
    post_ids = [value for name, value in parse_qsl(parts.query) if name == "p"]
    if len(post_ids) != 1 or not post_ids[0].isascii() or not post_ids[0].isdigit():
        return None
    return int(post_ids[0])


def shortlink_url(post_id: int, base_url: str) -> str:
    """The canonical `/?p=ID` shortlink of post `post_id` on the site of `base_url`."""
    return canonicalize(f"/?p={post_id}", base_url)


def is_same_site(url: str, base_url: str) -> bool:
    """Whether `url` (absolute or relative) is on the site of `base_url`, `www.` and scheme aside."""
    host = urlsplit(url).hostname
    return host is None or _host_key(host) == _host_key(urlsplit(base_url).hostname or "")


def is_article_url(url: str) -> bool:
    """Whether `url` is a `/YYYY/MM/DD/slug/` permalink with a real calendar date."""
    path = urlsplit(canonicalize(url)).path
    return bool(_ARTICLE_PATH.match(path)) and url_date(url) is not None


def url_date(url: str) -> date | None:
    """The date a `/YYYY/MM/DD/…` URL carries, or None when it has none or it is not a real date."""
    match = _DATE_PREFIX.match(urlsplit(url).path)
    if not match:
        return None
    try:
        return date(*(int(group) for group in match.groups()))
    except ValueError:
        return None


def _host_key(host: str) -> str:
    host = host.lower().rstrip(".")
    return host.removeprefix("www.")


def _explicit_port(port: int | None, scheme: str) -> int | None:
    return None if port == DEFAULT_PORTS.get(scheme) else port


def _canonical_path(path: str) -> str:
    segments = [_encode(unquote_to_bytes(segment), PATH_SEGMENT_SAFE) for segment in path.split("/")]
    canonical = _remove_dot_segments("/" + "/".join(segments).lstrip("/"))
    for amp_suffix in ("/amp/", "/amp"):
        if canonical.endswith(amp_suffix) and len(canonical) > len(amp_suffix):
            canonical = canonical[: -len(amp_suffix)] + "/"
            break
    last_segment = canonical.rsplit("/", 1)[-1]
    if last_segment and "." not in last_segment and not canonical.startswith(NO_TRAILING_SLASH_PREFIXES):
        canonical += "/"
    return canonical


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 §5.2.4: `/a/./b/../c` is `/a/c`; an encoded dot counts as a dot."""
    kept: list[str] = []
    segments = path.split("/")[1:]
    for position, segment in enumerate(segments):
        is_last = position == len(segments) - 1
        if segment == "..":
            if kept:
                kept.pop()
        elif segment != ".":
            kept.append(segment)
        if is_last and segment in (".", ".."):
            kept.append("")
    return "/" + "/".join(kept)


def _canonical_query(query: str) -> str:
    kept = sorted(
        (name, value)
        for name, value in parse_qsl(query, keep_blank_values=True)
        if not _is_non_content_parameter(name.lower())
    )
    encoded = urlencode(kept, quote_via=quote, safe=QUERY_SAFE)
    return _PERCENT_ESCAPE.sub(lambda escape: escape.group().lower(), encoded)


def _is_non_content_parameter(name: str) -> bool:
    return (name in TRACKING_PARAMETERS or name in AMP_PARAMETERS or name in COMMENT_PARAMETERS
            or name.startswith(TRACKING_PREFIXES))


def _encode(raw: bytes, safe: str) -> str:
    return _PERCENT_ESCAPE.sub(lambda escape: escape.group().lower(), quote(raw, safe=safe))
