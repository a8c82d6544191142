"""Page → `Article`: WordPress-wide field extractors with fallback chains and provenance.

Every field is read by one small function that tries its sources from the most to the least reliable:
JSON-LD → WordPress head meta (og:*, article:*) → WordPress-wide markup (entry-title, entry-content,
rel="category tag", rel="tag", time[datetime], figcaption) → the visible date line → the URL. The first
source that yields a value wins and its name is recorded in `Article.provenance`, so a theme change shows
up in the data as a shift of sources rather than as silently wrong values.

A `SiteProfile` carries the few selectors and phrases that differ from site to site; the defaults are
WordPress-wide, and a spider passes its own profile to override only what its site needs.

Nothing here imports Scrapy: `extract_article(html, url)` works on any HTML string (and `article_from`,
`all_links`, `listing_links` … on a `Page` parsed once), so tests, benchmarks and
re-extraction from the stored raw pages use exactly the code the spider uses.
"""

from __future__ import annotations

import copy
import itertools
import json
import re
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from urllib.parse import parse_qs, urljoin, urlsplit

from lxml import html as lxml_html

from crawler.arabic import clean, detect_lang, normalize
from crawler.dates import parse_date
from crawler.items import Article, Image, RelatedLink
from crawler.urls import url_date

ARTICLE_TYPES = {
    "Article", "NewsArticle", "BlogPosting", "ReportageNewsArticle", "OpinionNewsArticle",
    "AnalysisNewsArticle", "BackgroundNewsArticle", "ReviewNewsArticle", "Report", "LiveBlogPosting",
    "TechArticle", "ScholarlyArticle",
}

# Elements whose text is never article text, wherever they stand in the content container.
NON_TEXT_TAGS = ("script", "style", "noscript", "template", "iframe", "form", "button", "svg", "select",
                 "input", "textarea", "nav", "aside", "footer", "object", "embed")
# Characters of title and body that decide the article's language: plenty, and a bound on the cost.
LANGUAGE_SAMPLE = 2000
CHROME_TOKENS = {"sidebar", "footer", "site-footer", "menu", "main-menu", "navigation", "site-navigation"}
BLOCK_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "li", "pre", "div", "section",
              "article", "ul", "ol", "table", "tr", "td", "th", "figure", "header", "main", "dl", "dt",
              "dd", "address", "center", "hr", "br"}


@dataclass(frozen=True)
class SiteProfile:
    """What a site does differently from WordPress defaults; every field has a WordPress-wide default.

    Selectors are XPath expressions evaluated on the page; phrases are matched on cleaned text.
    """

    content_xpaths: tuple[str, ...] = (
        '//*[contains(concat(" ", normalize-space(@class), " "), " entry-content ")]',
        '//*[contains(concat(" ", normalize-space(@class), " "), " post-content ")]',
        '//*[@itemprop="articleBody"]',
    )
    title_xpaths: tuple[str, ...] = (
        '//h1[contains(concat(" ", normalize-space(@class), " "), " entry-title ")]',
        '//*[@itemprop="headline"]',
        '//article//h1',
        '//h1',
    )
    caption_xpaths: tuple[str, ...] = (
        "//figcaption",
        '//*[contains(concat(" ", normalize-space(@class), " "), " wp-caption-text ")]',
        '//*[contains(concat(" ", normalize-space(@class), " "), " wp-element-caption ")]',
        '//*[contains(@class, "caption")]',
    )
    author_xpaths: tuple[str, ...] = (
        '//a[@rel="author"]',
        '//a[contains(@href, "/author/")]',
        '//*[contains(concat(" ", normalize-space(@class), " "), " author ")]'
        '//*[contains(concat(" ", normalize-space(@class), " "), " fn ")]',
        '//*[@itemprop="author"]//*[@itemprop="name"]',
    )
    related_headings: tuple[str, ...] = ("مقالات ذات صلة", "أخبار ذات صلة", "مواضيع ذات صلة", "Related",
                                         "Related posts", "Related news")
    related_xpaths: tuple[str, ...] = (
        '//*[@id="jp-relatedposts"]',
        '//*[contains(concat(" ", normalize-space(@class), " "), " related-posts ")]',
        '//*[contains(concat(" ", normalize-space(@class), " "), " yarpp-related ")]',
        '//*[contains(concat(" ", normalize-space(@class), " "), " crp_related ")]',
    )
    read_also_prefixes: tuple[str, ...] = ("اقرأ أيضا", "اقرأ ايضا", "إقرأ أيضا", "اقرأ أيضًا", "شاهد أيضا",
                                           "Read also", "Read more")
    sections_label: str = "أقسام"
    views_pattern: str = r"\d[\d,.]*\s*(?:مشاهدات|مشاهدة|views?)\s*$"
    site_name_separators: tuple[str, ...] = (" - ", " – ", " | ", " — ", " « ")


WORDPRESS = SiteProfile()


class Page:
    """Shared, lazily computed views of one page: the lxml tree, head meta, JSON-LD article object."""

    def __init__(self, html: str, url: str, profile: SiteProfile = WORDPRESS):
        self.url = url
        self.profile = profile
        self.tree = parse_html(html)

    def xpath(self, expression: str) -> list:
        return self.tree.xpath(expression)

    @cached_property
    def meta(self) -> dict[str, list[str]]:
        """`<meta property|name|itemprop=… content=…>` values by lower-cased key, in page order."""
        values: dict[str, list[str]] = {}
        for element in self.xpath("//meta[@content]"):
            key = element.get("property") or element.get("name") or element.get("itemprop")
            if key:
                values.setdefault(key.strip().lower(), []).append(element.get("content").strip())
        return values

    def meta_first(self, *keys: str) -> tuple[str | None, str | None]:
        """The first non-empty value among `keys`, with the key that gave it."""
        for key in keys:
            for value in self.meta.get(key, []):
                if value:
                    return value, key
        return None, None

    @cached_property
    def json_ld(self) -> dict:
        """The page's JSON-LD article object (Article, NewsArticle, BlogPosting …), or {}."""
        for script in self.xpath('//script[@type="application/ld+json"]'):
            for candidate in json_ld_objects(script.text or ""):
                if ARTICLE_TYPES & set(as_list(candidate.get("@type"))):
                    return candidate
        return {}

    @cached_property
    def link_rels(self) -> dict[str, str]:
        """`<link rel=… href=…>` targets in the head, by rel, made absolute."""
        links = {}
        for element in self.xpath("//link[@rel][@href]"):
            for rel in element.get("rel").lower().split():
                links.setdefault(rel, urljoin(self.url, element.get("href").strip()))
        return links

    @cached_property
    def related_block(self):
        """The element holding the related-news links, or None."""
        for expression in self.profile.related_xpaths:
            found = self.xpath(expression)
            if found:
                return found[0]
        heading = self.heading_with_text(self.profile.related_headings)
        return None if heading is None else enclosing_link_container(heading)

    def heading_with_text(self, phrases: tuple[str, ...]):
        """The first short element of the page whose whole text is one of `phrases`."""
        return heading_in(self.tree, phrases)

    @cached_property
    def content(self):
        """The element holding the article's text: WordPress classes, then the profile, then the densest block."""
        for expression in self.profile.content_xpaths:
            found = [element for element in self.xpath(expression) if not self.is_in_related(element)]
            if found:
                return found[0], "markup"
        densest = densest_text_block(self.tree)
        return (densest, "heuristic") if densest is not None else (None, None)

    @cached_property
    def title_elements(self) -> list:
        """Elements that may hold the article's title (profile selectors in order), outside related news."""
        return [element for expression in self.profile.title_xpaths for element in self.xpath(expression)
                if not self.is_in_related(element)]

    def is_in_related(self, element) -> bool:
        block = self.related_block
        return block is not None and any(ancestor is block for ancestor in element.iterancestors())


def parse_html(html: str):
    """Parse HTML leniently (broken markup, stray tags) into an lxml tree; never raises on bad input."""
    parser = lxml_html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
    document = lxml_html.document_fromstring(html.encode("utf-8", "replace") or b"<html></html>", parser=parser)
    return document


def json_ld_objects(text: str) -> list[dict]:
    """Every JSON object in one JSON-LD script, flattening lists and @graph; [] when it is not valid JSON."""
    try:
        data = json.loads(text, strict=False)
    except ValueError:
        return []
    objects, pending = [], as_list(data)
    while pending:
        item = pending.pop(0)
        if isinstance(item, dict):
            objects.append(item)
            pending.extend(as_list(item.get("@graph")))
    return objects


def as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def element_text(element) -> str:
    """The visible text of an element, cleaned (markup inside it, scripts and styles left out)."""
    pieces: list[str] = []

    def walk(node):
        if node.text:
            pieces.append(node.text)
        for child in node:
            if isinstance(child.tag, str) and child.tag not in NON_TEXT_TAGS:
                if child.tag in BLOCK_TAGS:
                    pieces.append(" ")
                walk(child)
                if child.tag in BLOCK_TAGS:
                    pieces.append(" ")
            if child.tail:
                pieces.append(child.tail)

    walk(element)
    return clean("".join(pieces))


def fold_label(text: str) -> str:
    """A label's text reduced for comparison (hamza forms, harakat, punctuation and case folded)."""
    return normalize(text)


def enclosing_link_container(heading):
    """The nearest ancestor of a heading that also holds links other than the heading's own."""
    for ancestor in heading.iterancestors():
        own_links = set(heading.iter("a"))
        if any(link not in own_links for link in ancestor.iter("a")):
            return ancestor
    return None


def densest_text_block(tree):
    """The element whose direct <p> children hold the most text: the body of a page with unknown markup."""
    best, best_length = None, 0
    for parent in {p.getparent() for p in tree.iter("p") if p.getparent() is not None}:
        length = sum(len(element_text(child)) for child in parent if child.tag == "p")
        if length > best_length:
            best, best_length = parent, length
    return best


def block_texts(element) -> list[str]:
    """The element's text as a list of paragraphs, split at block elements, each cleaned, empties dropped."""
    paragraphs: list[str] = []
    buffer: list[str] = []
    # A <br> inside a paragraph is a line break, not a new paragraph; two in a row are a paragraph break.

    def flush():
        text = clean("".join(buffer))
        if text:
            paragraphs.append(text)
        buffer.clear()

    def walk(node):
        if node.tag in NON_TEXT_TAGS or not isinstance(node.tag, str):
            if node.tail:
                buffer.append(node.tail)
            return
        if node.tag == "br":
            previous = node.getprevious()
            if previous is not None and previous.tag == "br" and not (previous.tail or "").strip():
                flush()
            buffer.append(" ")
            if node.tail:
                buffer.append(node.tail)
            return
        block = node.tag in BLOCK_TAGS
        if block:
            flush()
        if node.text:
            buffer.append(node.text)
        for child in node:
            walk(child)
        if block:
            flush()
        if node.tail:
            buffer.append(node.tail)

    if element.text:
        buffer.append(element.text)
    for child in element:
        walk(child)
    flush()
    return paragraphs


# ---------------------------------------------------------------- field extractors: (value, source)


def extract_title(page: Page) -> tuple[str | None, str | None]:
    headline = page.json_ld.get("headline") or page.json_ld.get("name")
    if isinstance(headline, str) and clean(headline):
        return strip_html(headline), "json-ld"
    for element in page.title_elements:
        if element_text(element):
            return element_text(element), "markup"
    value, _ = page.meta_first("og:title", "twitter:title")
    if value:
        return strip_site_name(strip_html(value), page), "meta"
    titles = page.xpath("//title")
    if titles and element_text(titles[0]):
        return strip_site_name(element_text(titles[0]), page), "title-tag"
    return None, None


def strip_html(text: str) -> str:
    """Text of a value that may itself carry markup (titles in meta or JSON-LD sometimes do)."""
    if "<" not in text:
        return clean(text)
    return element_text(lxml_html.fragment_fromstring(text, create_parent="div"))


def strip_site_name(title: str, page: Page) -> str:
    site_name, _ = page.meta_first("og:site_name")
    if site_name:
        for separator in page.profile.site_name_separators:
            suffix = separator + clean(site_name)
            if title.endswith(suffix):
                return title[: -len(suffix)].strip()
    return title


def extract_canonical_url(page: Page) -> tuple[str | None, str | None]:
    if "canonical" in page.link_rels:
        return page.link_rels["canonical"], "link-canonical"
    value, _ = page.meta_first("og:url")
    if value:
        return urljoin(page.url, value), "meta"
    return None, None


def extract_shortlink_id(page: Page) -> tuple[int | None, str | None]:
    shortlink = page.link_rels.get("shortlink")
    if shortlink:
        post_id = parse_qs(urlsplit(shortlink).query).get("p", [""])[0]
        if post_id.isdigit():
            return int(post_id), "link-shortlink"
    for expression, pattern in (("//body/@class", r"\bpostid-(\d+)\b"), ("//article/@id", r"^post-(\d+)$")):
        for value in page.xpath(expression):
            match = re.search(pattern, value)
            if match:
                return int(match.group(1)), "markup"
    return None, None


def extract_published_at(page: Page) -> tuple[datetime | None, str | None]:
    return first_date(page, "datePublished", ("article:published_time", "og:published_time",
                                              "datepublished", "date", "dc.date"), published=True)


def extract_modified_at(page: Page) -> tuple[datetime | None, str | None]:
    return first_date(page, "dateModified", ("article:modified_time", "og:updated_time", "datemodified",
                                             "last-modified"), published=False)


def first_date(page: Page, json_ld_key: str, meta_keys: tuple[str, ...], published: bool):
    """A date from JSON-LD, head meta, the article's own <time> and (for publication) date line and URL."""
    value = parse_date(str(page.json_ld.get(json_ld_key) or ""))
    if value:
        return value, "json-ld"
    for key in meta_keys:
        for raw in page.meta.get(key, []):
            value = parse_date(raw)
            if value:
                return value, "meta"
    time_class = "published" if published else "updated"
    for element in article_times(page, time_class, include_unclassed=published):
        value = parse_date(element.get("datetime"))
        if value:
            return value, "time-element"
    if not published:
        return None, None
    value = date_from_date_line(page)
    if value:
        return value, "date-line"
    day = url_date(page.url) or url_date(extract_canonical_url(page)[0] or "")
    if day:
        return parse_date(day.isoformat()), "url"
    return None, None


def article_times(page: Page, time_class: str, include_unclassed: bool) -> list:
    """`<time datetime>` elements of the article itself (never those inside related or listing blocks)."""
    times = [t for t in page.xpath("//time[@datetime]") if not page.is_in_related(t) and not in_chrome(t)]
    classed = [t for t in times if time_class in (t.get("class") or "")]
    if classed or not include_unclassed:
        return classed
    return [t for t in times if "updated" not in (t.get("class") or "")][:1]


def in_chrome(element) -> bool:
    """True inside page chrome (sidebars, widgets, menus, the site footer) rather than the article."""
    for ancestor in element.iterancestors():
        if ancestor.tag in ("aside", "nav"):
            return True
        if ancestor.tag == "footer" and not any(a.tag == "article" for a in ancestor.iterancestors()):
            return True
        tokens = set((ancestor.get("class") or "").lower().split()) | {(ancestor.get("id") or "").lower()}
        if tokens & CHROME_TOKENS or any(token.startswith(("widget", "sidebar")) for token in tokens):
            return True
    return False


def date_from_date_line(page: Page) -> datetime | None:
    """The visible date of the article (e.g. «13 يونيو، 2017 3063 مشاهدات»): short text near the title."""
    for element in date_line_candidates(page):
        text = element_text(element)
        if 4 <= len(text) <= 90 and re.search(r"[0-9٠-٩۰-۹]", text):
            value = parse_date(re.sub(page.profile.views_pattern, "", text).strip())
            if value:
                return value
    return None


def date_line_candidates(page: Page):
    """Short text elements of the article's header: after the title, before the body, outside chrome."""
    if not page.title_elements:
        return []
    scope = page.title_elements[0].getparent()
    while scope is not None and len(element_text(scope)) < 200 and scope.getparent() is not None:
        scope = scope.getparent()
    if scope is None:
        return []
    content, _ = page.content
    leaves = []
    for element in scope.iter():
        if not isinstance(element.tag, str) or element.tag in NON_TEXT_TAGS:
            continue
        if content is not None and (element is content or content in element.iterancestors()):
            continue
        if page.is_in_related(element) or in_chrome(element) or element.find(".//a") is not None:
            continue
        if not any(isinstance(child.tag, str) and child.tag in BLOCK_TAGS for child in element):
            leaves.append(element)
    return leaves


def extract_section(page: Page) -> tuple[str | None, str | None]:
    section = first_text(page.json_ld.get("articleSection"))
    if section:
        return section, "json-ld"
    value, _ = page.meta_first("article:section")
    if value:
        return clean(value), "meta"
    for link in page.xpath('//a[contains(concat(" ", @rel, " "), " category ")]'):
        if not page.is_in_related(link) and not in_chrome(link) and element_text(link):
            return element_text(link), "rel-category"
    label = page.heading_with_text((page.profile.sections_label,))
    block = enclosing_link_container(label) if label is not None else None
    first_link = next(block.iter("a"), None) if block is not None else None
    if first_link is not None and element_text(first_link):
        return element_text(first_link), "sections-block"
    return None, None


def first_text(value) -> str | None:
    for item in as_list(value):
        if isinstance(item, str) and clean(item):
            return clean(item)
    return None


def extract_tags(page: Page) -> tuple[list[str], str | None]:
    keywords = page.json_ld.get("keywords")
    if isinstance(keywords, str):
        keywords = keywords.split(",")
    tags = unique(clean(k) for k in as_list(keywords) if isinstance(k, str))
    if tags:
        return tags, "json-ld"
    tags = unique(clean(v) for v in page.meta.get("article:tag", []))
    if tags:
        return tags, "meta"
    links = page.xpath('//a[contains(concat(" ", @rel, " "), " tag ")][not(contains(@rel, "category"))]')
    tags = unique(element_text(a) for a in links if not page.is_in_related(a) and not in_chrome(a))
    return (tags, "rel-tag") if tags else ([], None)


def unique(values) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        if value:
            seen.setdefault(value, None)
    return list(seen)


def extract_author(page: Page) -> tuple[str | None, str | None]:
    for author in as_list(page.json_ld.get("author")):
        name = author.get("name") if isinstance(author, dict) else author
        if isinstance(name, str) and clean(name):
            return clean(name), "json-ld"
    value, _ = page.meta_first("author", "article:author")
    if value and not value.startswith("http"):
        return clean(value), "meta"
    for expression in page.profile.author_xpaths:
        for element in page.xpath(expression):
            if not page.is_in_related(element) and not in_chrome(element) and element_text(element):
                return element_text(element), "markup"
    return None, None


def extract_images(page: Page) -> tuple[list[Image], str | None]:
    """Images of the article with their captions: figures in the article, then og:image as the featured one."""
    images: list[Image] = []
    scope = article_scope(page)
    for image in scope.iter("img") if scope is not None else []:
        if page.is_in_related(image) or in_chrome(image):
            continue
        src = image.get("src") or image.get("data-src") or image.get("data-lazy-src")
        if not src or src.startswith("data:"):
            continue
        images.append(Image(src=urljoin(page.url, src.strip()), alt=clean(image.get("alt") or "") or None,
                            caption=caption_of(image, page)))
    source = "markup" if images else None
    featured, _ = page.meta_first("og:image", "twitter:image")
    if featured and not any(i.src == urljoin(page.url, featured) for i in images):
        images.insert(0, Image(src=urljoin(page.url, featured), caption=None))
        source = source or "meta"
    return images, source


def article_scope(page: Page):
    """The smallest element holding both the article's title and its body (or the body alone)."""
    content, _ = page.content
    if content is None:
        return None
    if not page.title_elements:
        return content
    content_ancestors = [content, *content.iterancestors()]
    title = page.title_elements[0]
    for ancestor in [title, *title.iterancestors()]:
        if ancestor in content_ancestors:
            return ancestor
    return content


def caption_of(image, page: Page) -> str | None:
    """The caption of an image: a caption element in the nearest wrapper that holds this image alone."""
    for ancestor in list(image.iterancestors())[:4]:
        if sum(1 for _ in ancestor.iter("img")) > 1:
            break
        for expression in page.profile.caption_xpaths:
            found = ancestor.xpath("." + expression)
            if found and element_text(found[0]):
                return element_text(found[0])
    return None


def extract_related(page: Page) -> tuple[list[RelatedLink], str | None]:
    block = page.related_block
    if block is None:
        return [], None
    links = []
    seen = set()
    for anchor in block.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            continue
        url = urljoin(page.url, href)
        text = element_text(anchor)
        if url not in seen and text:
            seen.add(url)
            links.append(RelatedLink(url=url, anchor=text))
    return links, "related-block"


def extract_body(page: Page, title: str | None, captions: list[str], author: str | None):
    """Body paragraphs without teaser, captions, date/views line, «أقسام», related block, shares, «اقرأ أيضاً».

    Returns (body, teaser, body source, teaser source): the teaser is the excerpt block WordPress themes print
    above the body (the first words of the body and "..."), which the body must not repeat.
    """
    content, source = page.content
    paragraphs: list[str] = []
    if content is not None:
        paragraphs = block_texts(without_chrome(content, page))
    elif isinstance(page.json_ld.get("articleBody"), str):
        paragraphs, source = [clean(p) for p in page.json_ld["articleBody"].split("\n") if clean(p)], "json-ld"
    paragraphs = drop_boilerplate(paragraphs, page, title, captions, author)
    teaser, teaser_source = find_teaser(page, paragraphs)
    if teaser and paragraphs and paragraphs[0] == teaser:
        paragraphs = paragraphs[1:]
    return ("\n\n".join(paragraphs) or None), teaser, (source if paragraphs else None), teaser_source


def without_chrome(content, page: Page):
    """A copy of the content element with captions, related block, share and meta widgets removed."""
    content = copy.deepcopy(content)
    removable = (
        "figure", "figcaption", "time",
        'contains(concat(" ", normalize-space(@class), " "), " wp-caption ")',
        'contains(@class, "caption")', 'contains(@class, "share")', 'contains(@class, "social")',
        'contains(@class, "related")', 'contains(@id, "related")', 'contains(@class, "post-views")',
        'contains(@class, "entry-meta")', 'contains(@class, "tags-links")', 'contains(@class, "cat-links")',
        'contains(@class, "sharedaddy")', 'contains(@class, "author")', 'contains(@class, "byline")',
        'contains(@class, "post-meta")', 'contains(@class, "breadcrumb")', 'contains(@class, "ads")',
    )
    for expression in removable:
        xpath = ".//" + expression if "(" not in expression else f".//*[{expression}]"
        for element in content.xpath(xpath):
            if element.getparent() is not None:
                element.drop_tree()
    for phrases in (page.profile.related_headings, (page.profile.sections_label,)):
        heading = heading_in(content, phrases)
        if heading is not None:
            drop_labelled_block(heading, content)
    return content


def heading_in(root, phrases: tuple[str, ...]):
    """The first element under `root` whose whole (short) text is one of `phrases`."""
    wanted = {fold_label(phrase) for phrase in phrases}
    for element in root.xpath(".//*[string-length(normalize-space()) > 0][string-length(normalize-space()) < 60]"):
        if fold_label(element_text(element)) in wanted:
            return element
    return None


def drop_labelled_block(heading, content):
    """Remove a labelled block (a heading and its links) from the content, or all from the heading on."""
    container = enclosing_link_container(heading)
    if container is None or container is content or content not in container.iterancestors():
        drop_from(heading)
    else:
        container.drop_tree()


def drop_from(element):
    """Remove an element and everything after it in document order inside its parents' subtree."""
    node = element
    while node is not None and node.getparent() is not None:
        parent = node.getparent()
        for sibling in list(node.itersiblings()):
            parent.remove(sibling)
        node = parent
    element.drop_tree()


def drop_boilerplate(paragraphs, page: Page, title, captions, author) -> list[str]:
    """Paragraphs minus what is page furniture rather than article text."""
    profile = page.profile
    chrome = {fold_label(t) for t in (title, author, profile.sections_label, *captions) if t}
    longest_chrome = max(map(len, chrome), default=0)
    read_also = tuple(fold_label(prefix) for prefix in profile.read_also_prefixes)
    kept = []
    for paragraph in paragraphs:
        if len(paragraph) <= 2 * longest_chrome and fold_label(paragraph) in chrome:
            continue
        if fold_label(paragraph[:40]).startswith(read_also):
            continue
        if re.search(profile.views_pattern, paragraph) and len(paragraph) < 90:
            continue
        kept.append(paragraph)
    return kept


def find_teaser(page: Page, paragraphs: list[str]) -> tuple[str | None, str | None]:
    """The excerpt shown above the body: text ending in "..." whose words begin the body's first paragraph."""
    if not paragraphs:
        return None, None
    description, _ = page.meta_first("og:description", "description")
    elided = "[contains(., '...') or contains(., '…')]"
    candidates = itertools.chain(
        ((p, "content") for p in paragraphs[:2]),
        ((element_text(e), "markup") for e in page.xpath(f"//p{elided}|//div[not(*)]{elided}") if not in_chrome(e)),
        [(clean(description or ""), "meta")],
    )
    for text, source in candidates:
        stem = re.sub(r"\s*(\.\.\.|…|\[…\]|\[\.\.\.\])$", "", text)
        if stem != text and len(stem.split()) >= 5 and first_body_paragraph(paragraphs, text).startswith(stem):
            return text, source
    return None, None


def first_body_paragraph(paragraphs: list[str], teaser: str) -> str:
    return paragraphs[1] if paragraphs[0] == teaser and len(paragraphs) > 1 else paragraphs[0]


# ---------------------------------------------------------------- the whole article


def extract_article(html: str, url: str, profile: SiteProfile = WORDPRESS) -> Article:
    """Every field of the article on this page, each from the most reliable source the page offers."""
    return article_from(Page(html, url, profile), html)


def article_from(page: Page, html: str) -> Article:
    """`extract_article` on a page already parsed (a spider parses each response once)."""
    article = Article(url=page.url, html=html)
    provenance = article.provenance

    def record(name, value_and_source):
        value, source = value_and_source
        setattr(article, name, value)
        if source:
            provenance[name] = source

    record("canonical_url", extract_canonical_url(page))
    record("shortlink_id", extract_shortlink_id(page))
    record("title", extract_title(page))
    record("published_at", extract_published_at(page))
    record("modified_at", extract_modified_at(page))
    record("section", extract_section(page))
    record("tags", extract_tags(page))
    record("author", extract_author(page))
    record("images", extract_images(page))
    record("related", extract_related(page))
    captions = [image.caption for image in article.images if image.caption]
    body, teaser, body_source, teaser_source = extract_body(page, article.title, captions, article.author)
    record("body", (body, body_source))
    record("teaser", (teaser, teaser_source))
    article.lang = detect_lang(" ".join(filter(None, (article.title, article.body)))[:LANGUAGE_SAMPLE])
    return article


def is_article_page(page: Page) -> bool:
    """True for a single-post page (not a listing, tag, page or home page), by WordPress-wide signals."""
    og_type, _ = page.meta_first("og:type")
    body_classes = " ".join(page.xpath("//body/@class"))
    return bool(
        page.json_ld
        or (og_type or "").lower() == "article"
        or re.search(r"\bsingle-post\b|\bpostid-\d+\b", body_classes)
        or page.meta.get("article:published_time")
    )


def listing_links(page: Page) -> list[str]:
    """Links to posts from a listing page (archive, home, search): rel=bookmark and post-title links."""
    hrefs = page.xpath(
        '//a[contains(concat(" ", @rel, " "), " bookmark ")]/@href'
        '|//*[self::h1 or self::h2 or self::h3 or self::h4][contains(@class, "title")]//a/@href'
        '|//article//*[self::h2 or self::h3]//a/@href'
    )
    return unique(urljoin(page.url, href.strip()) for href in hrefs)


def next_page_link(page: Page) -> str | None:
    """The next (older) page of a paginated listing: rel=next in head or markup, WordPress pagination classes."""
    hrefs = page.xpath(
        '//link[@rel="next"]/@href|//a[contains(concat(" ", @rel, " "), " next ")]/@href'
        '|//a[contains(concat(" ", normalize-space(@class), " "), " next ")]/@href'
        '|//*[contains(@class, "nav-previous")]//a/@href'
    )
    return urljoin(page.url, hrefs[0].strip()) if hrefs else None


def all_links(page: Page) -> list[str]:
    """Every link target on the page, absolute, in order, without javascript:/mailto: ones."""
    hrefs = (h.strip() for h in page.xpath("//a/@href"))
    return unique(urljoin(page.url, h) for h in hrefs if h and not h.startswith(("javascript:", "mailto:", "tel:", "#")))
