"""Which WordPress URLs the spider follows: table tests of the pure rules in crawler.discovery."""

import pytest
from hypothesis import given, strategies as st

from crawler.discovery import is_excluded, is_post_sitemap, is_section_url, require_site_url, section_links

BASE = "https://www.alghadalsoury.com"


@pytest.mark.parametrize("path", [
    "/wp-admin/", "/wp-admin/admin-ajax.php", "/wp-login.php?action=register", "/wp-json/wp/v2/posts",
    "/feed/", "/comments/feed/", "/2017/10/21/slug/feed/", "/category/x/feed/", "/2017/10/21/slug/trackback/",
    "/tag/%d8%ad%d9%84%d8%a8/", "/author/admin/", "/2017/", "/2017/10/", "/2017/10/21/", "/2017/10/page/2/",
    "/page/2/", "/print/35309/", "/2017/10/21/slug/?replytocom=12", "/?s=%d8%ad%d9%84%d8%a8",
    "/2017/10/21/slug/?share=facebook", "/wp-content/uploads/2017/10/a.jpg", "/files/report.PDF",
])
def test_excluded(path):
    assert is_excluded(BASE + path)


@pytest.mark.parametrize("path", [
    "/", "/2017/10/21/%d9%85%d8%ad%d9%85%d8%af-%d8%a8%d8%a7%d9%82%d8%b1%d9%8a/", "/2017/10/21/english-post/",
    "/category/%d8%a3%d8%ae%d8%a8%d8%a7%d8%b1/", "/category/%d8%a3%d8%ae%d8%a8%d8%a7%d8%b1/page/7/",
    "/?p=35309", "/my-post-name/",
])
def test_followed(path):
    assert not is_excluded(BASE + path)


@pytest.mark.parametrize("url, expected", [
    (BASE + "/category/%d8%a3%d8%ae%d8%a8%d8%a7%d8%b1/", True),
    (BASE + "/category/news/local/", True),
    (BASE + "/category/news/page/2/", False),
    (BASE + "/category/news/feed/", False),
    (BASE + "/tag/news/", False),
    (BASE + "/", False),
])
def test_section_urls(url, expected):
    assert is_section_url(url) is expected


def test_section_links_are_on_site_distinct_and_canonical():
    links = [BASE + "/category/news/", "http://alghadalsoury.com/category/news/?utm_source=x",
             "https://other.example/category/news/", BASE + "/category/opinion", BASE + "/about/"]
    assert section_links(links, BASE) == [BASE + "/category/news/", BASE + "/category/opinion/"]


@pytest.mark.parametrize("url, expected", [
    (BASE + "/wp-sitemap-posts-post-1.xml", True), (BASE + "/post-sitemap.xml", True),
    (BASE + "/post-sitemap2.xml", True), (BASE + "/wp-sitemap-taxonomies-category-1.xml", False),
    (BASE + "/wp-sitemap-users-1.xml", False), (BASE + "/page-sitemap.xml", False),
])
def test_post_sitemaps(url, expected):
    assert is_post_sitemap(url) is expected


@pytest.mark.parametrize("bad", ["", "www.alghadalsoury.com", "ftp://x.org", "http://", "not a url", None])
def test_base_url_must_be_a_site_url(bad):
    with pytest.raises(ValueError, match="base_url must be an http"):
        require_site_url(bad)


def test_base_url_loses_its_trailing_slash():
    assert require_site_url("http://127.0.0.1:8000/") == "http://127.0.0.1:8000"


@given(st.text())
def test_rules_never_raise(text):
    is_excluded(BASE + "/" + text)
    is_section_url(BASE + "/" + text)
