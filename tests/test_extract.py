"""Extraction on hand-made pages: each fallback step of each field, and what the body must leave out.

Most pages here are written out so a reader sees exactly which signal a field is expected to come from; the
last tests run the extractors on pages rendered by the replica's themes (no HTTP) against their truth. The
crawl over HTTP is tested end to end in test_spider.py.
"""

import json
from datetime import datetime

import pytest

from crawler.dates import DAMASCUS
from crawler.extract import (
    Page, extract_article, is_article_page, listing_links, next_page_link,
)
from replica import build_site
from replica.routes import Router
from spiders.alghad import ALGHAD_PROFILE

URL = "https://www.alghadalsoury.com/2017/10/21/%d9%85%d8%ad%d9%85%d8%af-%d8%a8%d8%a7%d9%82%d8%b1%d9%8a/"
TITLE = "محمد باقري يتفقد مليشيات المرتزقة الإيرانيين في حلب"
PARAGRAPHS = [
    "أجرى رئيس هيئة أركان القوات المسلحة الإيرانية، اللواء محمد باقري، زيارة تفقدية لمليشيات المرتزقة "
    "الإيرانيين في ريف حلب، عقب لقاء جمعه مع بشار الأسد في دمشق نقل خلاله رسالة تهنئة من المرشد.",
    "ونشرت وكالة “إيرنا” صورا لباقري وهو يتفقد مناطق العمليات في ريف حلب، يوم أمس الجمعة.",
    "المكتب السياسي",
]
TEASER = " ".join(PARAGRAPHS[0].split()[:29]) + "..."
CAPTION = "رئيس هيئة أركان القوات المسلحة الإيرانية اللواء محمد باقري في حلب"


def page(head="", header="", body_extra="", content_class="entry-content", paragraphs=PARAGRAPHS,
         after="", title_html=None):
    """A WordPress-shaped single-post page; each argument adds one kind of signal."""
    title_html = title_html if title_html is not None else f'<h1 class="entry-title">{TITLE}</h1>'
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8">
<title>{TITLE} - الغد السوري</title>{head}</head>
<body class="post-template-default single single-post postid-35309">
<nav class="main-menu"><a href="/category/%d8%a3%d8%ae%d8%a8%d8%a7%d8%b1/">أخبار</a></nav>
<article id="post-35309" class="post"><header>{title_html}{header}</header>
<p class="teaser">{TEASER}</p>
<figure class="wp-caption"><img src="/wp-content/uploads/2017/10/bagheri.jpg" alt="باقري">
<figcaption class="wp-caption-text">{CAPTION}</figcaption></figure>
<div class="{content_class}">{body}{body_extra}</div>{after}</article>
<aside class="sidebar widget"><h3>الأكثر قراءة</h3><a href="/2016/05/01/other/">خبر آخر</a>
<time datetime="2016-05-01T10:00:00+03:00">1 مايو 2016</time></aside>
</body></html>"""


def test_json_ld_is_the_first_source():
    json_ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": TITLE,
               "datePublished": "2017-10-21T10:15:00+03:00", "dateModified": "2017-10-22T08:00:00+03:00",
               "articleSection": "أخبار", "keywords": ["حلب", "إيران"], "author": {"name": "المحرر"}}
    html = page(head=f'<script type="application/ld+json">{json.dumps(json_ld, ensure_ascii=False)}</script>'
                     '<meta property="article:published_time" content="2001-01-01T00:00:00+00:00">')
    article = extract_article(html, URL)
    assert article.title == TITLE
    assert article.published_at == datetime(2017, 10, 21, 10, 15, tzinfo=DAMASCUS)
    assert article.published_at.utcoffset().total_seconds() == 3 * 3600
    assert article.modified_at.isoformat() == "2017-10-22T08:00:00+03:00"
    assert article.section == "أخبار"
    assert article.tags == ["حلب", "إيران"]
    assert article.author == "المحرر"
    for name in ("title", "published_at", "modified_at", "section", "tags", "author"):
        assert article.provenance[name] == "json-ld", name


def test_json_ld_in_a_graph_is_found():
    graph = {"@context": "https://schema.org", "@graph": [
        {"@type": "WebPage", "name": "page"},
        {"@type": ["Article", "NewsArticle"], "headline": TITLE, "datePublished": "2017-10-21T10:15:00+03:00"}]}
    article = extract_article(page(head=f'<script type="application/ld+json">{json.dumps(graph)}</script>'), URL)
    assert article.provenance["published_at"] == "json-ld"
    assert article.published_at.isoformat() == "2017-10-21T10:15:00+03:00"


def test_broken_json_ld_falls_through_to_meta():
    head = ('<script type="application/ld+json">{"@type": "NewsArticle", "headline": </script>'
            '<meta property="article:published_time" content="2017-10-21T10:15:00+03:00">'
            '<meta property="article:section" content="أخبار">'
            '<meta property="article:tag" content="حلب"><meta property="article:tag" content="إيران">')
    article = extract_article(page(head=head), URL)
    assert article.published_at.isoformat() == "2017-10-21T10:15:00+03:00"
    assert (article.section, article.tags) == ("أخبار", ["حلب", "إيران"])
    assert {article.provenance[f] for f in ("published_at", "section", "tags")} == {"meta"}


def test_wordpress_markup_when_head_has_nothing():
    header = ('<span class="posted-on"><time class="entry-date published" datetime="2017-10-21T10:15:00+03:00">'
              '21 أكتوبر 2017</time><time class="updated" datetime="2017-10-23T09:00:00+03:00"></time></span>')
    after = ('<footer class="entry-footer"><a href="/category/x/" rel="category tag">أخبار</a>'
             '<a href="/tag/y/" rel="tag">حلب</a></footer>')
    article = extract_article(page(header=header, after=after), URL)
    assert article.published_at.isoformat() == "2017-10-21T10:15:00+03:00"
    assert article.modified_at.isoformat() == "2017-10-23T09:00:00+03:00"
    assert (article.section, article.tags) == ("أخبار", ["حلب"])
    assert article.provenance["published_at"] == "time-element"
    assert article.provenance["section"] == "rel-category"
    assert article.provenance["tags"] == "rel-tag"


def test_visible_date_line_with_views_counter():
    article = extract_article(page(header='<div class="meta">13 يونيو، 2017 3063 مشاهدات</div>'), URL)
    assert article.published_at == datetime(2017, 6, 13, tzinfo=DAMASCUS)
    assert article.provenance["published_at"] == "date-line"


def test_visible_date_line_with_levantine_month_and_time():
    article = extract_article(page(header="<span>السبت 21 تشرين الأول 2017 - 10:15 م</span>"), URL)
    assert article.published_at.isoformat() == "2017-10-21T22:15:00+03:00"


def test_url_date_is_the_last_resort_and_related_dates_are_never_taken():
    related = ('<div class="related-posts"><h3>أخبار متعلقة</h3><ul>'
               '<li><a href="/2016/01/02/a/">خبر أول</a><time datetime="2016-01-02T09:00:00+02:00">2 يناير 2016</time></li>'
               '<li><a href="/2016/01/03/b/">خبر ثان</a> <span>3 يناير، 2016</span></li></ul></div>')
    article = extract_article(page(after=related), URL)
    assert article.published_at == datetime(2017, 10, 21, tzinfo=DAMASCUS)
    assert article.provenance["published_at"] == "url"
    assert [r.url for r in article.related] == ["https://www.alghadalsoury.com/2016/01/02/a/",
                                               "https://www.alghadalsoury.com/2016/01/03/b/"]
    assert [r.anchor for r in article.related] == ["خبر أول", "خبر ثان"]


def test_body_leaves_out_teaser_caption_chrome_and_keeps_signature():
    chrome = ('<p>13 يونيو، 2017 3063 مشاهدات</p><p>اقرأ أيضاً: <a href="/2017/01/01/x/">خبر</a></p>'
              '<div class="sharedaddy"><a href="https://facebook.com/sharer.php?u=x">فيسبوك</a></div>'
              '<script>var tracking = "<p>لا</p>";</script><style>p{color:red}</style>')
    related = '<div class="related"><h3>أخبار متعلقة</h3><a href="/2016/01/02/a/">خبر أول</a></div>'
    sections = '<div class="cats"><span>أقسام</span> <a rel="category tag" href="/category/x/">أخبار</a></div>'
    article = extract_article(page(body_extra=chrome + sections + related), URL)
    assert article.body == "\n\n".join(PARAGRAPHS)
    assert article.teaser == TEASER
    assert article.images[0].caption == CAPTION
    assert article.images[0].src == "https://www.alghadalsoury.com/wp-content/uploads/2017/10/bagheri.jpg"
    assert article.images[0].alt == "باقري"


def test_teaser_inside_the_content_is_not_repeated_in_the_body():
    article = extract_article(page(paragraphs=[TEASER, *PARAGRAPHS]), URL)
    assert article.body == "\n\n".join(PARAGRAPHS)
    assert article.teaser == TEASER


def test_unknown_theme_uses_the_densest_text_block():
    html = page(content_class="zz-story-text", title_html=f"<h1 class='zz-headline'>{TITLE}</h1>")
    article = extract_article(html, URL)
    assert article.title == TITLE
    assert article.body == "\n\n".join(PARAGRAPHS)
    assert article.provenance["body"] == "heuristic"


def test_markup_inside_title_and_hostile_body_content_leave_only_text():
    title_html = f'<h1 class="entry-title" onclick="evil()">{TITLE} <span style="color:red">عاجل</span></h1>'
    hostile = ('<p onmouseover="alert(1)">نص <a href="javascript:alert(1)">رابط</a> آخر<!-- تعليق --></p>'
               '<script>alert("x")</script>')
    article = extract_article(page(title_html=title_html, body_extra=hostile), URL)
    assert article.title == f"{TITLE} عاجل"
    assert article.body.endswith("نص رابط آخر")
    for text in (article.title, article.body):
        assert "<" not in text and "alert" not in text and "تعليق" not in text


def test_inline_markup_does_not_split_words():
    article = extract_article(page(paragraphs=["ال<strong>قوات</strong> السورية في <em>حلب</em>، اليوم."]), URL)
    assert article.body == "القوات السورية في حلب، اليوم."


def test_canonical_and_shortlink():
    head = ('<link rel="canonical" href="https://www.alghadalsoury.com/2017/10/21/slug/">'
            '<link rel="shortlink" href="https://www.alghadalsoury.com/?p=35309">')
    article = extract_article(page(head=head), URL + "?utm_source=facebook")
    assert article.canonical_url == "https://www.alghadalsoury.com/2017/10/21/slug/"
    assert article.shortlink_id == 35309
    assert article.provenance["shortlink_id"] == "link-shortlink"


def test_shortlink_from_body_class_when_head_has_none():
    article = extract_article(page(), URL)
    assert article.shortlink_id == 35309
    assert article.provenance["shortlink_id"] == "markup"


@pytest.mark.parametrize("paragraphs, lang", [
    (PARAGRAPHS, "ar"),
    (["Syria's Tomorrow Movement held a conference in Cairo on the political solution in Syria."], "en"),
])
def test_language_is_detected_from_the_text(paragraphs, lang):
    assert extract_article(page(paragraphs=paragraphs), URL).lang == lang


@pytest.mark.parametrize("html", ["", "<html>", "<p>نص بلا صفحة", "\x00\x01garbage", "<div><div><div>" * 50])
def test_broken_pages_never_raise(html):
    article = extract_article(html, URL)
    assert article.url == URL
    assert article.title is None or isinstance(article.title, str)


def test_article_page_detection():
    assert is_article_page(Page(page(), URL))
    listing = '<html><body class="archive category"><h2><a rel="bookmark" href="/2017/1/1/a/">a</a></h2></body></html>'
    assert not is_article_page(Page(listing, "https://www.alghadalsoury.com/category/x/"))


def test_listing_links_and_next_page():
    listing = """<html><head><link rel="next" href="/category/x/page/2/"></head><body>
    <article><h2 class="entry-title"><a href="/2017/10/21/a/" rel="bookmark">أ</a></h2></article>
    <div class="item"><h3 class="post-title"><a href="/my-post/">ب</a></h3></div>
    <aside><a href="/2016/01/01/widget/">ج</a></aside></body></html>"""
    base = "https://www.alghadalsoury.com/category/x/"
    assert listing_links(Page(listing, base)) == ["https://www.alghadalsoury.com/2017/10/21/a/",
                                            "https://www.alghadalsoury.com/my-post/"]
    assert next_page_link(Page(listing, base)) == "https://www.alghadalsoury.com/category/x/page/2/"
    assert next_page_link(Page("<html><body>آخر صفحة</body></html>", base)) is None


def test_section_from_the_sections_block_when_nothing_else_names_it():
    sections = '<div class="cats"><span>أقسام</span> <a href="/category/x/">بيانات</a></div>'
    article = extract_article(page(after=sections), URL)
    assert (article.section, article.provenance["section"]) == ("بيانات", "sections-block")


# Replica pages, rendered by the replica's own themes (no HTTP): every field against its truth.
REPLICA_BASE = "http://127.0.0.1:8000"


@pytest.mark.parametrize("theme", ["classic", "magazine"])
def test_replica_pages_extract_to_their_truth(theme):
    site = build_site(120, 2)
    router = Router(site, theme)
    for expected in site.truth(REPLICA_BASE, theme):
        html = router.respond(expected["url"][len(REPLICA_BASE):], REPLICA_BASE).body.decode()
        article = extract_article(html, expected["url"], ALGHAD_PROFILE)
        got = {"title": article.title, "body": article.body, "section": article.section, "tags": article.tags,
               "author": article.author, "lang": article.lang, "teaser": article.teaser,
               "captions": [image.caption for image in article.images if image.caption]}
        assert got == {name: expected[name] for name in got}, expected["url"]
        published = article.published_at
        truth_published = datetime.fromisoformat(expected["published_at"])
        if expected["date_precision"] == "day":
            assert published.date() == truth_published.date()
        else:
            assert (published.replace(second=0), published.utcoffset()) == (truth_published, truth_published.utcoffset())
