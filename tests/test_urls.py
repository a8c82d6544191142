"""URL identity: every spelling of an article URL folds to the one WordPress writes."""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.urls import (
    canonicalize,
    is_article_url,
    is_same_site,
    shortlink_id,
    shortlink_url,
    url_date,
)

BASE = "https://www.alghadalsoury.com/"
SLUG = "محمد-باقري-يتفقد-مليشيات-المرتزقة-الإ"
SLUG_LOWER_HEX = quote(SLUG, safe="-").lower()
PERMALINK = f"https://www.alghadalsoury.com/2017/10/21/{SLUG_LOWER_HEX}/"


@pytest.mark.parametrize(
    "variant",
    [
        PERMALINK,
        PERMALINK.replace("https://", "http://"),
        PERMALINK.replace("www.", ""),
        PERMALINK.replace("https://www.", "http://"),
        PERMALINK.upper().replace("HTTPS://WWW.ALGHADALSOURY.COM", "https://www.alghadalsoury.com").replace(
            "%D8", "%D8"
        ),
        f"https://www.alghadalsoury.com/2017/10/21/{quote(SLUG, safe='-')}/",
        f"https://www.alghadalsoury.com/2017/10/21/{SLUG}/",
        f"https://www.alghadalsoury.com/2017/10/21/{SLUG}",
        PERMALINK + "#comments",
        PERMALINK + "?utm_source=facebook&utm_medium=social&utm_campaign=x",
        PERMALINK + "?fbclid=IwAR0abc",
        PERMALINK + "?gclid=abc&msclkid=def",
        PERMALINK + "?amp=1",
        PERMALINK + "?replytocom=2150#respond",
        PERMALINK + "?amp",
        PERMALINK + "amp/",
        PERMALINK + "amp",
        PERMALINK.replace(".com/", ".com:443/"),
        PERMALINK.replace("www.alghadalsoury.com", "WWW.AlGhadAlSoury.COM"),
        f"/2017/10/21/{SLUG}/",
        f"2017/10/21/{SLUG}",
    ],
)
def test_variants_of_a_permalink_fold_to_the_permalink(variant):
    assert canonicalize(variant, BASE) == PERMALINK


@pytest.mark.parametrize(
    ("url", "base_url", "expected"),
    [
        # Without a base the scheme stays and `www.` goes.
        ("HTTP://WWW.Example.ORG:80/a/b", None, "http://example.org/a/b/"),
        # Off-site URLs keep their scheme; the base only speaks for its own site.
        ("http://www.horrya.net/?p=35309", BASE, "http://horrya.net/?p=35309"),
        # Shortlinks stay shortlinks (the alias table maps them), tracking removed.
        ("http://alghadalsoury.com/?p=123&utm_source=x", BASE, "https://www.alghadalsoury.com/?p=123"),
        ("/?p=123", BASE, "https://www.alghadalsoury.com/?p=123"),
        # Query parameters are sorted and encoded once, in lower-case hex.
        ("http://x.org/?s=%D9%85+a&b=2", None, "http://x.org/?b=2&s=%d9%85%20a"),
        # Files and REST routes get no trailing slash.
        ("http://x.org/wp-sitemap.xml", None, "http://x.org/wp-sitemap.xml"),
        ("http://x.org/wp-json/wp/v2/posts", None, "http://x.org/wp-json/wp/v2/posts"),
        ("http://x.org", None, "http://x.org/"),
        # Non-default ports are part of the site (the replica runs on one).
        ("http://127.0.0.1:8123/category/%D8%A3/page/2", "http://127.0.0.1:8123/",
         "http://127.0.0.1:8123/category/%d8%a3/page/2/"),
        # An encoded slash inside a segment is data, not structure: it stays encoded.
        ("http://x.org/a%2Fb/", None, "http://x.org/a%2fb/"),
        # Dot segments resolve, encoded dots included.
        ("http://x.org/a/./b/../c", None, "http://x.org/a/c/"),
        ("http://x.org/a/%2E%2E/b/", None, "http://x.org/b/"),
        # An `amp` category is not an AMP suffix of nothing.
        ("http://x.org/amp/", None, "http://x.org/amp/"),
        ("http://x.org/2017/10/21/camp/", None, "http://x.org/2017/10/21/camp/"),
    ],
)
def test_canonicalize_table(url, base_url, expected):
    assert canonicalize(url, base_url) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.alghadalsoury.com/?p=35309", 35309),
        ("http://x.org?p=7", 7),
        ("http://x.org/index.php?p=7&utm_source=x", 7),
        ("http://x.org/?page_id=7", None),
        ("http://x.org/2017/10/21/a/?p=7", None),
        ("http://x.org/?p=abc", None),
        ("http://x.org/?p=١٢", None),
        ("http://x.org/?p=1&p=2", None),
    ],
)
def test_shortlink_id(url, expected):
    assert shortlink_id(url) == expected


def test_shortlink_url_is_canonical_on_the_base_site():
    assert shortlink_url(35309, "http://alghadalsoury.com") == "http://alghadalsoury.com/?p=35309"
    assert shortlink_id(shortlink_url(35309, BASE)) == 35309


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (PERMALINK, True),
        ("http://alghadalsoury.com/x/", True),
        ("/2017/10/21/x/", True),
        ("https://WWW.ALGHADALSOURY.COM./", True),
        ("https://horrya.net/?p=35309", False),
        ("https://alghadalsoury.com.evil.org/", False),
    ],
)
def test_is_same_site(url, expected):
    assert is_same_site(url, BASE) is expected


@pytest.mark.parametrize(
    ("url", "is_article", "day"),
    [
        (PERMALINK, True, date(2017, 10, 21)),
        (PERMALINK + "amp/", True, date(2017, 10, 21)),
        (PERMALINK.rstrip("/"), True, date(2017, 10, 21)),
        ("https://x.org/2017/10/21/", False, date(2017, 10, 21)),
        ("https://x.org/2017/10/", False, None),
        ("https://x.org/2017/02/30/slug/", False, None),
        ("https://x.org/2017/13/01/slug/", False, None),
        ("https://x.org/category/news/", False, None),
        ("https://x.org/2017/10/21/slug/extra/", False, date(2017, 10, 21)),
        ("https://x.org/?p=12", False, None),
    ],
)
def test_article_urls_and_their_dates(url, is_article, day):
    assert is_article_url(url) is is_article
    assert url_date(url) == day


# Any text a slug could hold: Arabic letters and marks, ASCII, the Arabic question mark, and the
# characters percent-encoding must treat with care.
slug_text = st.text(
    alphabet=st.sampled_from(list("ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأإؤئىة؟ًٌٍَُِّْ") + list("az09-_.~%+ ")),
    min_size=1,
    max_size=40,
)
hosts = st.sampled_from(["alghadalsoury.com", "www.alghadalsoury.com", "WWW.AlGhadAlSoury.com"])
schemes = st.sampled_from(["http", "https", "HTTPS"])
suffixes = st.sampled_from(["", "#c", "?utm_source=x", "?fbclid=1&amp=1", "amp/", "?amp=1#top"])


@settings(max_examples=300, deadline=None)
@given(slug=slug_text, host=hosts, scheme=schemes, suffix=suffixes, upper_hex=st.booleans())
def test_spellings_of_one_permalink_are_equivalent(slug, host, scheme, suffix, upper_hex):
    encoded = quote(slug, safe="-_.~")
    encoded = encoded if upper_hex else encoded.lower()
    reference = canonicalize(f"/2017/10/21/{quote(slug, safe='')}/", BASE)
    variant = f"{scheme}://{host}/2017/10/21/{encoded}/{suffix}"
    assert canonicalize(variant, BASE) == reference


@settings(max_examples=300, deadline=None)
@given(url=st.one_of(st.text(max_size=60), st.builds(
    lambda scheme, host, slug, suffix: f"{scheme}://{host}/{slug}{suffix}", schemes, hosts, slug_text, suffixes
)), base=st.sampled_from([None, BASE, "http://127.0.0.1:8123/"]))
def test_canonicalize_is_idempotent(url, base):
    try:
        once = canonicalize(url, base)
    except ValueError:  # urlsplit refuses some strings outright (bad ports, brackets): not URLs
        return
    assert canonicalize(once, base) == once
