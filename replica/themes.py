"""The two themes the replica renders pages with.

Both carry the WordPress-wide signals a crawler may rely on (canonical and shortlink links,
og:/article: meta, JSON-LD on part of the pages, rel="category tag"/rel="tag"/rel="next"), and
differ in everything a theme decides: element names, classes, where the date line sits, how the
related block and captions are marked up. `classic` is WordPress-default-like (entry-* classes);
`magazine` is a typical Arabic news-magazine theme (jeg_*/tie-* classes, no entry-* classes).
"""

from __future__ import annotations

import html
import json
import random
from dataclasses import dataclass, replace

from replica import datelines, links, noise
from replica.model import SECTIONS, Post, Site

SITE_NAME = "الغد السوري"
THEMES = ("classic", "magazine", "undated")
MENU_PAGES = (("من نحن", "/%d9%85%d9%86-%d9%86%d8%ad%d9%86/"), ("اتصل بنا", "/%d8%a7%d8%aa%d8%b5%d9%84-%d8%a8%d9%86%d8%a7/"))


def esc(text: str) -> str:
    return html.escape(text, quote=True)


@dataclass(frozen=True)
class ListingPage:
    """One page of an archive: what it lists and where its neighbours are."""

    heading: str
    posts: list[Post]
    path: str
    next_path: str | None
    prev_path: str | None
    feed_path: str | None = None


class Theme:
    """Markup shared by both themes; subclasses write the parts a theme owns."""

    name = ""

    def __init__(self, site: Site, base: str):
        self.site = site
        self.base = base
        self.calendar_month: tuple[int, int] | None = None  # the month the calendar widget shows

    # -- whole documents ------------------------------------------------------------------
    def article_page(self, post: Post, hostile: bool = False) -> str:
        text = self.site.article(post.id)
        canonical = self.base + (self.site.original_of(post).path if post.repost_declares_canonical else post.path)
        head = self._article_head(post, canonical)
        rng = random.Random(f"{self.site.seed}:render:{post.id}")
        main = self.article_main(post, text, rng, hostile)
        body_class = f"post-template-default single single-post postid-{post.id} single-format-standard"
        return self.document(post.title, head, body_class, main, post.lang)

    def listing_page(self, listing: ListingPage) -> str:
        head = [f'<link rel="canonical" href="{esc(self.base + listing.path)}">']
        if listing.prev_path:
            head.append(f'<link rel="prev" href="{esc(self.base + listing.prev_path)}">')
        if listing.next_path:
            head.append(f'<link rel="next" href="{esc(self.base + listing.next_path)}">')
        if listing.feed_path:
            head.append(f'<link rel="alternate" type="application/rss+xml" title="{esc(listing.heading)}" href="{esc(self.base + listing.feed_path)}">')
        rng = random.Random(f"{self.site.seed}:listing:{listing.path}")
        main = self.listing_main(listing, rng)
        return self.document(listing.heading, head, "archive category", main, "ar")

    def home_page(self) -> str:
        latest = self.site.listed_newest_first[:10]
        rng = random.Random(f"{self.site.seed}:home")
        blocks = [self.listing_main(ListingPage("آخر الأخبار", latest, "/", None, None), rng)]
        for section in SECTIONS:
            posts = self.site.section_posts(section)[:4]
            if posts:
                listing = ListingPage(section.name, posts, links.section_path(section), None, None)
                blocks.append(self.listing_main(listing, rng))
        head = [f'<link rel="canonical" href="{esc(self.base)}/">', self._website_json_ld()]
        return self.document(SITE_NAME, head, "home blog", "\n".join(blocks), "ar")

    def static_page(self, heading: str, body_html: str, path: str) -> str:
        head = [f'<link rel="canonical" href="{esc(self.base + path)}">']
        main = f'<div class="{self.page_class}"><h1>{esc(heading)}</h1>{body_html}</div>'
        return self.document(heading, head, "page", main, "ar")

    def document(self, title: str, head: list[str], body_class: str, main: str, lang: str) -> str:
        return "\n".join([
            "<!DOCTYPE html>",
            '<html lang="ar" dir="rtl">',
            "<head>",
            '<meta charset="UTF-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{esc(title)} &#8211; {SITE_NAME}</title>",
            '<meta name="generator" content="WordPress 4.9.8">',
            f'<link rel="alternate" type="application/rss+xml" title="{SITE_NAME} &raquo; الخلاصة" href="{self.base}/feed/">',
            f'<link rel="alternate" type="application/rss+xml" title="{SITE_NAME} &raquo; خلاصة التعليقات" href="{self.base}/comments/feed/">',
            f'<link rel="https://api.w.org/" href="{self.base}/wp-json/">',
            *head,
            f'<link rel="stylesheet" href="{self.base}/wp-content/themes/{self.name}/style.css" type="text/css" media="all">',
            "</head>",
            f'<body class="{body_class}">',
            self.header(),
            main,
            self.sidebar(),
            self.footer(),
            "</body>",
            "</html>",
        ])

    # -- head -------------------------------------------------------------------------------
    def _article_head(self, post: Post, canonical: str) -> list[str]:
        text = self.site.article(post.id)
        description = text.teaser or " ".join(text.paragraphs[0].split()[:25])
        head = [
            f'<link rel="canonical" href="{esc(canonical)}">',
            f'<link rel="shortlink" href="{self.base}/?p={post.id}">',
            f'<link rel="alternate" type="application/rss+xml" href="{esc(self.base + post.path)}feed/">',
            f'<meta property="og:locale" content="{"en_US" if post.lang == "en" else "ar_AR"}">',
            '<meta property="og:type" content="article">',
            f'<meta property="og:title" content="{esc(post.title)}">',
            f'<meta property="og:url" content="{esc(canonical)}">',
            f'<meta property="og:description" content="{esc(description)}">',
            f'<meta property="og:site_name" content="{SITE_NAME}">',
        ]
        if text.images:
            head.append(f'<meta property="og:image" content="{esc(links.image_url(self.base, text.images[0].src))}">')
        head.append(f'<meta property="article:section" content="{esc(post.section.name)}">')
        head += [f'<meta property="article:tag" content="{esc(name)}">' for name, _ in post.tags]
        if "meta" in post.date_sources:
            head.append(f'<meta property="article:published_time" content="{datelines.iso(post.published)}">')
            head.append(f'<meta property="article:modified_time" content="{datelines.iso(post.modified)}">')
        if "json-ld" in post.date_sources:
            head.append(self._article_json_ld(post, canonical))
        elif post.id % 2:
            head.append(self._website_json_ld())
        return head

    def _article_json_ld(self, post: Post, canonical: str) -> str:
        text = self.site.article(post.id)
        data = {
            "@context": "https://schema.org",
            "@type": "BlogPosting" if post.section.kind in ("opinion", "interview") else "NewsArticle",
            "mainEntityOfPage": {"@type": "WebPage", "@id": canonical},
            "headline": post.title,
            "datePublished": datelines.iso(post.published),
            "dateModified": datelines.iso(post.modified),
            "articleSection": post.section.name,
            "publisher": {"@type": "Organization", "name": SITE_NAME, "logo": {"@type": "ImageObject", "url": f"{self.base}/wp-content/uploads/logo.png"}},
        }
        if post.author:
            data["author"] = {"@type": "Person", "name": post.author[0]}
        if post.tags:
            data["keywords"] = ",".join(name for name, _ in post.tags)
        if text.images:
            data["image"] = {"@type": "ImageObject", "url": links.image_url(self.base, text.images[0].src)}
        return f'<script type="application/ld+json">{json.dumps(data, ensure_ascii=False)}</script>'

    def _website_json_ld(self) -> str:
        data = {
            "@context": "https://schema.org",
            "@graph": [
                {"@type": "WebSite", "@id": f"{self.base}/#website", "url": f"{self.base}/", "name": SITE_NAME, "inLanguage": "ar"},
                {"@type": "Organization", "@id": f"{self.base}/#organization", "name": SITE_NAME, "url": f"{self.base}/"},
            ],
        }
        return f'<script type="application/ld+json">{json.dumps(data, ensure_ascii=False)}</script>'

    # -- shared pieces ------------------------------------------------------------------------
    def menu_items(self) -> list[tuple[str, str]]:
        items = [("الرئيسية", "/")]
        items += [(section.name, links.section_path(section)) for section in SECTIONS]
        return items + list(MENU_PAGES)

    def body_paragraphs(self, post: Post, text, rng: random.Random, hostile: bool) -> list[str]:
        """The body as HTML paragraphs, with the «اقرأ أيضاً» line, in-body link and body image."""
        intensity = 0.0 if post.lang == "en" else 1.0
        blocks = []
        for index, paragraph in enumerate(text.paragraphs):
            if text.in_body_link and text.in_body_link[0] == index:
                target = self.site.by_id[text.in_body_link[1]]
                words = paragraph.split(" ")
                linked = f'<a href="{esc(links.some_article_url(self.base, target, rng))}">{noise.noisy_text(" ".join(words[:3]), rng, intensity)}</a>'
                inner = linked + " " + noise.noisy_text(" ".join(words[3:]), rng, intensity)
            else:
                inner = noise.noisy_text(paragraph, rng, intensity)
            attributes = ' style="text-align: justify;" onclick="trackRead(this)"' if hostile and index == 1 else ""
            blocks.append(f"<p{attributes}>{inner}</p>")
            if index == 0 and text.read_also:
                target = self.site.by_id[text.read_also]
                blocks.append(f'<p><strong>اقرأ أيضاً:</strong> <a href="{esc(links.some_article_url(self.base, target, rng))}">{esc(target.title)}</a></p>')
            if text.body_image_after == index:
                blocks.append(self.figure(text.images[-1], in_body=True))
            if hostile and index == 0:
                blocks.append('<!-- wp:paragraph --><script type="text/javascript">var _gaq = _gaq || []; document.write("<p>تابعونا<\\/p>");</script>')
                blocks.append('<style>.entry-content p{line-height:1.9}</style><!-- /wp:paragraph -->')
        return blocks

    def share_links(self, post: Post, hostile: bool) -> list[str]:
        url = esc(self.base + post.path)
        items = [
            f'<a class="share-facebook" href="https://www.facebook.com/sharer.php?u={url}" target="_blank" rel="nofollow noopener">فيسبوك</a>',
            f'<a class="share-twitter" href="https://twitter.com/intent/tweet?url={url}" target="_blank" rel="nofollow noopener">تويتر</a>',
            f'<a class="share-whatsapp" href="https://api.whatsapp.com/send?text={url}" rel="nofollow noopener">واتساب</a>',
            f'<a class="share-print" href="{self.base}{links.print_path(post)}" rel="nofollow">طباعة</a>',
        ]
        if hostile:
            items.append('<a class="share-more" href="javascript:void(0)" onmouseover="showMore()">المزيد</a>')
        return items

    def comments(self, post: Post, text) -> str:
        items = "".join(
            f'<li id="comment-{cid}"><div class="comment-author">{esc(author)}</div><p>{esc(body)}</p>'
            f'<a rel="nofollow" class="comment-reply-link" href="{esc(self.base + post.path)}?replytocom={cid}#respond">رد</a></li>'
            for cid, author, body in text.comments
        )
        return (f'<div id="comments" class="comments-area"><h3 class="comments-title">{len(text.comments)} تعليقات</h3>'
                f'<ol class="comment-list">{items}</ol></div>')

    def most_read(self) -> list[tuple[Post, str]]:
        rng = random.Random(f"{self.site.seed}:most-read-links")
        posts = [self.site.by_id[i] for i in self.site.most_read if not self.site.by_id[i].deleted]
        return [(post, links.some_article_url(self.base, post, rng)) for post in posts]

    def calendar_links(self) -> tuple[str, str, str]:
        """The calendar widget's caption and its links to the previous and next month.

        Unlike WordPress, which links only months with posts, both links always exist.
        """
        year, month = self.calendar_month or (self.site.now.year, self.site.now.month)
        previous = (year, month - 1) if month > 1 else (year - 1, 12)
        following = (year, month + 1) if month < 12 else (year + 1, 1)
        caption = f"{datelines.corpus.STANDARD_MONTHS[month - 1]} {year}"
        return caption, f"/{previous[0]}/{previous[1]:02d}/", f"/{following[0]}/{following[1]:02d}/"

    def related_posts(self, text, rng: random.Random) -> list[tuple[Post, str]]:
        return [(self.site.by_id[i], links.some_article_url(self.base, self.site.by_id[i], rng)) for i in text.related]

    def listing_entries(self, listing: ListingPage, rng: random.Random) -> list[tuple[Post, str, str]]:
        """Each listed post with the URL its listing links to (now and then a variant) and its excerpt."""
        entries = []
        for post in listing.posts:
            text = self.site.article(post.id)
            url = links.some_article_url(self.base, post, rng) if rng.random() < 0.1 else self.base + post.path
            entries.append((post, url, text.teaser or " ".join(text.paragraphs[0].split()[:29]) + "..."))
        return entries

    def teaser_html(self, post: Post, text, rng: random.Random) -> str:
        """The teaser as the page shows it, with the rendered noise of Arabic text."""
        return noise.noisy_text(text.teaser, rng, 0.5 if post.lang == "ar" else 0)

    def date_line(self, post: Post, views: int, rng: random.Random) -> str:
        """The visible date (and views) line; its form depends on the theme and the page's sources."""
        sources = post.date_sources
        views_html = f'<span class="{self.views_class}">{views} مشاهدات</span>'
        if "date-line" not in sources:
            return views_html
        visible = self.visible_date(post, rng)
        if "time" in sources:
            visible = f'<time class="{self.time_class}" datetime="{datelines.iso(post.published)}">{visible}</time>'
        return f'<span class="{self.date_class}">{visible}</span> {views_html}'

    def visible_date(self, post: Post, rng: random.Random) -> str:
        return datelines.wordpress_date(post.published)

    # -- theme-owned parts -------------------------------------------------------------------
    page_class = ""
    views_class = ""
    time_class = ""
    date_class = ""

    def header(self) -> str:
        raise NotImplementedError

    def sidebar(self) -> str:
        raise NotImplementedError

    def footer(self) -> str:
        raise NotImplementedError

    def article_main(self, post: Post, text, rng: random.Random, hostile: bool) -> str:
        raise NotImplementedError

    def listing_main(self, listing: ListingPage, rng: random.Random) -> str:
        raise NotImplementedError

    def figure(self, image, in_body: bool = False) -> str:
        raise NotImplementedError

    def title_html(self, post: Post, hostile: bool) -> str:
        if not hostile:
            return esc(post.title)
        first, _, rest = post.title.partition(" ")
        return f'<span class="highlight">{esc(first)}</span> {esc(rest)}'

    def pagination(self, listing: ListingPage) -> str:
        parts = []
        if listing.prev_path:
            parts.append(f'<a class="prev page-numbers" href="{esc(self.base + listing.prev_path)}">» السابق</a>')
        if listing.next_path:
            parts.append(f'<a class="next page-numbers" href="{esc(self.base + listing.next_path)}">التالي «</a>')
        return f'<nav class="navigation pagination"><div class="nav-links">{"".join(parts)}</div></nav>'


class ClassicTheme(Theme):
    """WordPress-default-like markup (article.post, h1.entry-title, div.entry-content …)."""

    name = "classic"
    page_class = "entry-content"
    views_class = "post-views"
    time_class = "entry-date published"
    date_class = "posted-on"

    def header(self) -> str:
        menu = "".join(f'<li class="menu-item"><a href="{esc(self.base + path)}">{esc(label)}</a></li>' for label, path in self.menu_items())
        return (f'<header id="masthead" class="site-header"><p class="site-title"><a href="{self.base}/" rel="home">{SITE_NAME}</a></p>'
                f'<nav id="site-navigation" class="main-navigation"><ul id="primary-menu" class="menu">{menu}</ul></nav></header>')

    def sidebar(self) -> str:
        most_read = "".join(f'<li><a href="{esc(url)}">{esc(post.title)}</a></li>' for post, url in self.most_read())
        caption, previous, current = self.calendar_links()
        return (
            '<aside id="secondary" class="widget-area">'
            f'<section class="widget widget_most_read"><h2 class="widget-title">الأكثر قراءة</h2><ul>{most_read}</ul></section>'
            f'<section class="widget widget_calendar"><table id="wp-calendar"><caption>{caption}</caption>'
            f'<tfoot><tr><td id="prev"><a href="{self.base}{previous}">« الشهر السابق</a></td>'
            f'<td id="next"><a href="{self.base}{current}">الشهر التالي »</a></td></tr></tfoot></table></section>'
            f'<section class="widget widget_search"><form role="search" action="{self.base}/"><input type="search" name="s"></form></section>'
            "</aside>"
        )

    def footer(self) -> str:
        return ('<footer id="colophon" class="site-footer"><div class="footer-links">'
                + "".join(f'<a href="{esc(self.base + path)}">{esc(label)}</a> ' for label, path in MENU_PAGES)
                + f'<a href="{self.base}/loop/a">الأرشيف القديم</a> <a href="{self.base}/wp-login.php">دخول</a>'
                + ' <a href="https://www.facebook.com/alghadalsoury" rel="nofollow">فيسبوك</a></div>'
                + f'<div class="site-info">جميع الحقوق محفوظة © {SITE_NAME}</div></footer>')

    def figure(self, image, in_body: bool = False) -> str:
        alt = esc(image.alt or "")
        caption = f'<figcaption class="wp-caption-text">{esc(image.caption)}</figcaption>' if image.caption else ""
        kind = "wp-caption aligncenter" if in_body else "wp-caption post-thumbnail"
        return f'<figure class="{kind}"><img src="{esc(links.image_url(self.base, image.src))}" alt="{alt}" width="800" height="450">{caption}</figure>'

    def article_main(self, post: Post, text, rng: random.Random, hostile: bool) -> str:
        parts = [
            f'<main id="main" class="site-main"><article id="post-{post.id}" class="post-{post.id} post type-post status-publish format-standard has-post-thumbnail category-{esc(post.section.encoded_slug)}">',
            '<header class="entry-header">',
            f'<h1 class="entry-title">{self.title_html(post, hostile)}</h1>',
        ]
        if post.author:
            parts.append(f'<span class="byline"><span class="author vcard"><a class="url fn n" href="{self.base}/author/{post.author[1]}/"> {esc(post.author[0])}</a></span></span>')
        parts.append(f'<div class="entry-meta">{self.date_line(post, text.views, rng)}</div></header>')
        if text.teaser:
            parts.append(f'<div class="entry-summary post-excerpt"><p>{self.teaser_html(post, text, rng)}</p></div>')
        if post.has_featured_image:
            parts.append(self.figure(text.images[0]))
        lang = ' lang="en" dir="ltr"' if post.lang == "en" else ""
        parts.append(f'<div class="entry-content"{lang}>' + "\n".join(self.body_paragraphs(post, text, rng, hostile)) + "</div>")
        tags = ""
        if post.tags:
            tags = '<span class="tags-links">وسوم: ' + "، ".join(
                f'<a href="{self.base}/tag/{esc(links.utf8_slug(slug))}/" rel="tag">{esc(name)}</a>' for name, slug in post.tags) + "</span>"
        parts.append(f'<footer class="entry-footer"><span class="cat-links">أقسام <a href="{self.base}{links.section_path(post.section)}" rel="category tag">{esc(post.section.name)}</a></span>{tags}</footer>')
        parts.append('<div class="sharedaddy sd-sharing-enabled"><h3 class="sd-title">شارك هذا:</h3>' + " ".join(self.share_links(post, hostile)) + "</div>")
        related = "".join(
            f'<li class="related-post"><a href="{esc(url)}" rel="bookmark">{esc(other.title)}</a> <span class="related-date">{datelines.wordpress_date(other.published)}</span></li>'
            for other, url in self.related_posts(text, rng)
        )
        parts.append(f'<div class="related-posts"><h3 class="related-title">أخبار متعلقة</h3><ul>{related}</ul></div>')
        parts.append(self.comments(post, text))
        parts.append("</article></main>")
        return "\n".join(parts)

    def listing_main(self, listing: ListingPage, rng: random.Random) -> str:
        items = []
        for post, url, excerpt in self.listing_entries(listing, rng):
            items.append(
                f'<article id="post-{post.id}" class="post type-post"><header class="entry-header">'
                f'<h2 class="entry-title"><a href="{esc(url)}" rel="bookmark">{esc(post.title)}</a></h2>'
                f'<span class="posted-on"><time class="entry-date" datetime="{datelines.iso(post.published)}">{datelines.wordpress_date(post.published)}</time></span></header>'
                f'<div class="entry-summary"><p>{esc(excerpt)}</p></div></article>'
            )
        if not items:
            items.append('<p class="no-results">عذراً، لا توجد مقالات.</p>')
        return (f'<main id="main" class="site-main"><header class="page-header"><h1 class="page-title">{esc(listing.heading)}</h1></header>'
                + "\n".join(items) + self.pagination(listing) + "</main>")


class MagazineTheme(Theme):
    """An Arabic news-magazine theme (div.single-post-box, h1.post-title, div.post-text, jeg_/tie- classes)."""

    name = "magazine"
    page_class = "post-text"
    views_class = "meta-views"
    time_class = "tie-date-time"
    date_class = "tie-date jeg_meta_date"

    def header(self) -> str:
        menu = "".join(f'<li><a href="{esc(self.base + path)}">{esc(label)}</a></li>' for label, path in self.menu_items())
        return (f'<div class="jeg_viewport"><div class="jeg_header"><div class="jeg_logo"><a href="{self.base}/">{SITE_NAME}</a></div>'
                f'<div class="jeg_nav_row"><ul class="jeg_menu jeg_main_menu">{menu}</ul></div></div>')

    def sidebar(self) -> str:
        most_read = "".join(
            f'<div class="jeg_post jeg_pl_sm"><h3 class="jeg_post_title"><a href="{esc(url)}">{esc(post.title)}</a></h3></div>'
            for post, url in self.most_read()
        )
        caption, previous, current = self.calendar_links()
        return (
            '<div class="jeg_sidebar theiaStickySidebar">'
            f'<div class="widget jeg_block_popular"><div class="jeg_block_heading"><h3>الأكثر مشاهدة</h3></div>{most_read}</div>'
            f'<div class="widget tie-calendar"><div class="calendar-head">{caption}</div>'
            f'<a class="cal-prev" href="{self.base}{previous}">‹</a> <a class="cal-next" href="{self.base}{current}">›</a></div>'
            "</div>"
        )

    def footer(self) -> str:
        return ('<div class="jeg_footer"><div class="jeg_footer_content">'
                + "".join(f'<a href="{esc(self.base + path)}">{esc(label)}</a> | ' for label, path in MENU_PAGES)
                + f'<a href="{self.base}/loop/a">أرشيف</a> | <a href="https://twitter.com/alghadalsoury" rel="nofollow">تويتر</a>'
                + f'<p class="copyright">© 2018 {SITE_NAME}</p></div></div></div>')

    def figure(self, image, in_body: bool = False) -> str:
        alt = esc(image.alt or "")
        if in_body:
            caption = f"<figcaption>{esc(image.caption)}</figcaption>" if image.caption else ""
            return f'<figure class="inline-image"><img src="{esc(links.image_url(self.base, image.src))}" alt="{alt}">{caption}</figure>'
        caption = f'<p class="caption">{esc(image.caption)}</p>' if image.caption else ""
        return f'<div class="featured-area jeg_featured"><img class="wp-post-image" src="{esc(links.image_url(self.base, image.src))}" alt="{alt}">{caption}</div>'

    def visible_date(self, post: Post, rng: random.Random) -> str:
        """Pages without machine-readable dates show the time too, in one of two Syrian forms."""
        if post.date_sources == ("date-line", "url"):
            if post.id % 2:
                return datelines.levantine_date_time(post.published)
            return datelines.numeric_date_time(post.published)
        return datelines.wordpress_date(post.published)

    def article_main(self, post: Post, text, rng: random.Random, hostile: bool) -> str:
        parts = [
            f'<div class="jeg_main"><div class="single-post-box tie-single" data-id="{post.id}">',
            f'<div class="post-head"><h1 class="post-title jeg_post_title">{self.title_html(post, hostile)}</h1>',
        ]
        meta = self.date_line(post, text.views, rng)
        if post.author:
            meta = f'<span class="jeg_meta_author"><a href="{self.base}/author/{post.author[1]}/"> {esc(post.author[0])}</a></span> ' + meta
        parts.append(f'<div class="post-meta jeg_post_meta">{meta}</div></div>')
        if text.teaser:
            parts.append(f'<div class="post-lead jeg_post_subtitle">{self.teaser_html(post, text, rng)}</div>')
        if post.has_featured_image:
            parts.append(self.figure(text.images[0]))
        lang = ' lang="en" dir="ltr"' if post.lang == "en" else ""
        parts.append(f'<div class="post-text td-post-content jeg_inner_content"{lang}>' + "\n".join(self.body_paragraphs(post, text, rng, hostile)) + "</div>")
        category = f'<a href="{self.base}{links.section_path(post.section)}" rel="category tag">{esc(post.section.name)}</a>'
        parts.append(f'<div class="post-categories jeg_post_category"><span>أقسام</span> {category}</div>')
        if post.tags:
            parts.append('<div class="jeg_post_tags tagcloud">' + "".join(
                f'<a href="{self.base}/tag/{esc(links.utf8_slug(slug))}/" rel="tag">{esc(name)}</a>' for name, slug in post.tags) + "</div>")
        parts.append('<div class="share-box jeg_share_button">' + "".join(self.share_links(post, hostile)) + "</div>")
        related = "".join(
            f'<div class="related-item jeg_post"><a href="{esc(url)}"><h4>{esc(other.title)}</h4></a><span class="tie-date">{datelines.wordpress_date(other.published)}</span></div>'
            for other, url in self.related_posts(text, rng)
        )
        parts.append(f'<div class="jeg_related_posts tie-related-block"><div class="block-title"><span>أخبار متعلقة</span></div>{related}</div>')
        parts.append(self.comments(post, text))
        parts.append("</div></div>")
        return "\n".join(parts)

    def listing_main(self, listing: ListingPage, rng: random.Random) -> str:
        items = []
        for post, url, excerpt in self.listing_entries(listing, rng):
            items.append(
                f'<div class="jeg_post jeg_pl_lg_2"><h3 class="jeg_post_title"><a href="{esc(url)}">{esc(post.title)}</a></h3>'
                f'<div class="jeg_meta_date">{datelines.wordpress_date(post.published)}</div>'
                f'<div class="jeg_post_excerpt"><p>{esc(excerpt)}</p></div></div>'
            )
        if not items:
            items.append('<div class="jeg_empty">لا توجد مقالات في هذا القسم.</div>')
        return (f'<div class="jeg_main jeg_archive"><div class="jeg_block_heading"><h1>{esc(listing.heading)}</h1></div>'
                + "\n".join(items) + self.pagination(listing) + "</div>")


class UndatedTheme(ClassicTheme):
    """The classic theme after a redesign that lost every date: no date meta, JSON-LD date, <time> or date
    line (only the URL keeps its day). The site a scheduled crawler meets the day its theme changes: the
    crawl still "works", and only the run's health verdict can tell."""

    name = "undated"

    def _article_head(self, post: Post, canonical: str) -> list[str]:
        return super()._article_head(replace(post, date_sources=("url",)), canonical)

    def date_line(self, post: Post, views: int, rng: random.Random) -> str:
        return super().date_line(replace(post, date_sources=("url",)), views, rng)


def theme_class(name: str) -> type[Theme]:
    return {"classic": ClassicTheme, "magazine": MagazineTheme, "undated": UndatedTheme}[name]
