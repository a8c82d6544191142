"""Clean pipeline: `crawler.arabic.clean` on every text field of an item (the raw HTML and URLs stay as fetched)."""

from __future__ import annotations

from dataclasses import replace

from itemadapter import ItemAdapter

from crawler.arabic import clean
from crawler.items import Article

TEXT_FIELDS = ("title", "teaser", "body", "section", "author")


def clean_or_none(text: str | None) -> str | None:
    """`clean(text)`, with None for text that cleans to nothing."""
    return (clean(text) or None) if text is not None else None


class CleanPipeline:
    """Cleans titles, teaser, body, section, author, tags, image alt texts and captions, link anchors."""

    def process_item(self, item):
        if not isinstance(item, Article):
            return item
        article = ItemAdapter(item)
        for name in TEXT_FIELDS:
            if name in article:
                article[name] = clean_or_none(article.get(name))
        if "tags" in article:
            article["tags"] = [tag for tag in map(clean_or_none, article.get("tags") or []) if tag]
        if "images" in article:
            article["images"] = [
                replace(image, alt=clean_or_none(image.alt), caption=clean_or_none(image.caption))
                for image in article.get("images") or []
            ]
        if "related" in article:
            article["related"] = [
                replace(link, anchor=clean_or_none(link.anchor)) for link in article.get("related") or []
            ]
        return item
