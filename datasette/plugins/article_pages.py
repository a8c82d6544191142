"""Right-to-left reading: prose cells carry their language and direction, and an article page reads as one.

- `render_cell` wraps the text of prose columns (title, teaser, body, captions, anchors…) in an element
  with ``lang`` and ``dir`` from `crawler.arabic.detect_lang`, so Arabic reads right to left and English
  stays left to right in every table, row and query page; URL columns show their percent-decoded form
  (the Arabic slug a person can read) as the text of a link to the URL itself.
- `extra_template_vars` gives the row page of `articles` an `article` (the row with its images, tags,
  related links and revisions), which `templates/row.html` shows above Datasette's own table of fields.
"""

from __future__ import annotations

from urllib.parse import unquote

from datasette import hookimpl
from datasette.utils import urlsafe_components
from markupsafe import Markup, escape

from crawler.arabic import detect_lang

PROSE_COLUMNS = frozenset({"title", "teaser", "body", "caption", "alt", "anchor", "author", "reason"})
URL_COLUMNS = frozenset({"url", "src", "latest_url"})


def direction(lang: str) -> str:
    """The writing direction of one of the site's two languages."""
    return "rtl" if lang == "ar" else "ltr"


def prose_html(text: str, limit: int | None = None) -> Markup:
    """`text` (cut to `limit` characters with an ellipsis) in a block with its language and direction."""
    lang = detect_lang(text)
    if limit and len(text) > limit:
        text = text[:limit] + "…"
    return Markup('<div lang="{}" dir="{}">{}</div>').format(lang, direction(lang), escape(text))


def url_html(url: str) -> Markup:
    """A link to `url` whose text is the URL percent-decoded, kept left to right."""
    return Markup('<a class="alghad-url" dir="ltr" href="{}">{}</a>').format(url, unquote(url))


@hookimpl
def render_cell(value, column, datasette):
    if not isinstance(value, str) or not value:
        return None
    if column in PROSE_COLUMNS:
        return prose_html(value, datasette.setting("truncate_cells_html"))
    if column in URL_COLUMNS and value.startswith(("http://", "https://")):
        return url_html(value)
    return None


ARTICLE_SQL = "select * from articles where id = :id"
IMAGES_SQL = "select src, alt, caption from images where article_id = :id order by position"
TAGS_SQL = "select tag from article_tags where article_id = :id order by tag"
RELATED_SQL = """
select related_links.url, related_links.anchor, related_links.target_article_id, target.title as target_title
from related_links left join articles as target on target.id = related_links.target_article_id
where related_links.article_id = :id order by related_links.position
"""
REVISIONS_SQL = "select replaced_at, title from revisions where article_id = :id order by replaced_at desc"


async def article_with_children(datasette, database: str, article_id: str) -> dict | None:
    """The `articles` row `article_id` with its images, tags, related links and revisions, or None."""
    db = datasette.get_database(database)
    params = {"id": article_id}
    row = (await db.execute(ARTICLE_SQL, params)).first()
    if row is None:
        return None
    article = dict(row)
    lang = article["lang"] or detect_lang(article["title"] or article["body"] or "")
    article.update(
        dir=direction(lang),
        lang=lang,
        url_text=unquote(article["url"]),
        paragraphs=[p for p in (article["body"] or "").split("\n\n") if p.strip()],
        images=[dict(r) for r in await db.execute(IMAGES_SQL, params)],
        tags=[r["tag"] for r in await db.execute(TAGS_SQL, params)],
        related=[dict(r) for r in await db.execute(RELATED_SQL, params)],
        revisions=[dict(r) for r in await db.execute(REVISIONS_SQL, params)],
    )
    return article


@hookimpl
def extra_template_vars(view_name, table, database, request, datasette):
    if view_name != "row" or table != "articles":
        return {}

    async def article_vars():
        (article_id,) = urlsafe_components(request.url_vars["pks"])
        return {"article": await article_with_children(datasette, database, article_id)}

    return article_vars
