"""Arabic-aware full-text search: every search is folded with `crawler.arabic.normalize` before FTS5.

The FTS index (`articles_fts`) holds `title_search` and `body_search`, the normalized title and body
that `crawler.store` writes. Datasette's table search turns `?_search=` (and the search box) into
``articles_fts MATCH escape_fts(:search)``, where `escape_fts` is a SQL function it registers in its
own `prepare_connection` hook. This plugin registers a function of the same name that folds the query
first, so «محمد» matches «مُحَمَّد», «اركان» «أركان», «الارهاب» «الإرهاب» and «القوات» «القــوات».
It is marked ``trylast`` so that pluggy runs it after Datasette's built-in hook and its definition
is the one the connection keeps. `arabic_normalize()` is registered too, for hand-written SQL
(``... MATCH arabic_normalize(:q)``). ``_searchmode=raw`` passes FTS5 syntax through untouched.
"""

from __future__ import annotations

from datasette import hookimpl
from datasette.utils import escape_fts

from crawler.arabic import normalize

# FTS5 rejects an empty MATCH expression; an empty phrase matches no row instead.
MATCHES_NOTHING = '""'


def folded_fts_query(query: str | None) -> str | None:
    """The FTS5 MATCH expression for what a person typed: folded like the index, then each term quoted.

    Quotes are punctuation to `normalize`, so a quoted phrase becomes separate terms (all required).
    """
    if query is None:
        return None
    return escape_fts(normalize(query)) or MATCHES_NOTHING


def normalize_or_none(text: str | None) -> str | None:
    """`normalize` for SQL, where NULL stays NULL."""
    return None if text is None else normalize(text)


@hookimpl(trylast=True)
def prepare_connection(conn):
    conn.create_function("escape_fts", 1, folded_fts_query, deterministic=True)
    conn.create_function("arabic_normalize", 1, normalize_or_none, deterministic=True)
