"""Machine-readable listings: RSS 2.0 feeds, the WordPress core sitemaps and robots.txt."""

from __future__ import annotations

from xml.sax.saxutils import escape

from replica import datelines
from replica.model import SITEMAP_PAGE_SIZE, Post, Site
from replica.themes import SITE_NAME

FEED_SIZE = 10


def robots_txt(base: str) -> str:
    """WordPress's robots.txt plus one disallowed path every article links to (/print/)."""
    return (
        "User-agent: *\n"
        "Disallow: /wp-admin/\n"
        "Allow: /wp-admin/admin-ajax.php\n"
        "Disallow: /print/\n"
        "\n"
        f"Sitemap: {base}/wp-sitemap.xml\n"
    )


def _channel(title: str, self_url: str, link: str, items: list[str], last_build) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">\n<channel>\n'
        f"<title>{escape(title)}</title>\n"
        f'<atom:link href="{escape(self_url)}" rel="self" type="application/rss+xml" />\n'
        f"<link>{escape(link)}</link>\n<description>{SITE_NAME}</description>\n"
        f"<lastBuildDate>{datelines.rss_date(last_build)}</lastBuildDate>\n<language>ar</language>\n"
        + "".join(items)
        + "</channel>\n</rss>\n"
    )


def posts_feed(site: Site, base: str, posts: list[Post], title: str, self_path: str) -> str:
    """An RSS 2.0 feed of the latest `FEED_SIZE` of `posts` (newest first)."""
    items = []
    for post in posts[:FEED_SIZE]:
        text = site.article(post.id)
        description = text.teaser or " ".join(text.paragraphs[0].split()[:29]) + "..."
        items.append(
            "<item>\n"
            f"<title>{escape(post.title)}</title>\n<link>{escape(base + post.path)}</link>\n"
            f"<comments>{escape(base + post.path)}#respond</comments>\n"
            f"<pubDate>{datelines.rss_date(post.published)}</pubDate>\n"
            f"<dc:creator>{escape(post.author[0] if post.author else 'admin')}</dc:creator>\n"
            f"<category>{escape(post.section.name)}</category>\n"
            f'<guid isPermaLink="false">{escape(base)}/?p={post.id}</guid>\n'
            f"<description>{escape(description)}</description>\n</item>\n"
        )
    last_build = posts[0].modified if posts else site.now
    return _channel(f"{SITE_NAME} {title}".strip(), base + self_path, base + "/", items, last_build)


def comments_feed(site: Site, base: str, posts: list[Post], self_path: str) -> str:
    """Comments of `posts` as RSS (the site-wide comments feed, or one post's)."""
    items = []
    for post in posts:
        for comment_id, author, body in site.article(post.id).comments:
            items.append(
                f"<item>\n<title>{escape('تعليق على ' + post.title)}</title>\n"
                f"<link>{escape(base + post.path)}#comment-{comment_id}</link>\n"
                f"<dc:creator>{escape(author)}</dc:creator>\n<pubDate>{datelines.rss_date(post.modified)}</pubDate>\n"
                f"<description>{escape(body)}</description>\n</item>\n"
            )
    return _channel(f"التعليقات على {SITE_NAME}", base + self_path, base + "/", items, site.now)


def sitemap_index(site: Site, base: str) -> str:
    pages = max(1, -(-len(site.sitemap_posts) // SITEMAP_PAGE_SIZE))
    entries = [f"<sitemap><loc>{base}/wp-sitemap-posts-post-{n}.xml</loc></sitemap>" for n in range(1, pages + 1)]
    entries.append(f"<sitemap><loc>{base}/wp-sitemap-taxonomies-category-1.xml</loc></sitemap>")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            + "\n".join(entries) + "\n</sitemapindex>\n")


def posts_sitemap(site: Site, base: str, page: int) -> str | None:
    """Page `page` (from 1) of the posts sitemap, 2000 URLs a page as WordPress does; None past the end."""
    posts = site.sitemap_posts[(page - 1) * SITEMAP_PAGE_SIZE : page * SITEMAP_PAGE_SIZE]
    if not posts:
        return None
    urls = [
        f"<url><loc>{escape(base + post.path)}</loc><lastmod>{datelines.iso(post.modified)}</lastmod></url>"
        for post in posts
    ]
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            + "\n".join(urls) + "\n</urlset>\n")


def categories_sitemap(base: str, section_paths: list[str]) -> str:
    urls = [f"<url><loc>{escape(base + path)}</loc></url>" for path in section_paths]
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            + "\n".join(urls) + "\n</urlset>\n")
