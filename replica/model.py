"""The site as data: posts, sections, tags, authors and who links to whom, for a seed and an epoch.

`build_site()` draws only cheap metadata for every post (date, section, title, slug, flags);
bodies, related blocks and other per-article details are drawn lazily, each from its own RNG
seeded by (site seed, post id), so that a page renders the same whatever was requested before it
and `--articles 20000` builds in about two seconds.
"""

from __future__ import annotations

import bisect
import functools
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from replica import content, corpus, seed_article
from replica.slugs import SlugRegistry, sanitize_title, utf8_uri_encode

DAMASCUS = ZoneInfo("Asia/Damascus")
FIRST_DAY = datetime(2016, 3, 1)
LAST_DAY = datetime(2018, 11, 30)
NOW_AT_EPOCH_0 = datetime(2018, 11, 30, 23, 30)
POSTS_PER_NEW_DAY = 3
POSTS_PER_PAGE = 10
SITEMAP_PAGE_SIZE = 2000
ARCHIVE_LISTED_SHARE = 0.6  # the limited section lists only its newest 60 % of pages
# Which machine-readable date sources a page exposes, and how often (see README).
DATE_PROFILES = (
    (("json-ld", "meta", "time", "date-line", "url"), 0.45),
    (("meta", "date-line", "url"), 0.25),
    (("time", "date-line", "url"), 0.12),
    (("date-line", "url"), 0.14),
    (("url",), 0.04),
)


@dataclass(frozen=True)
class Section:
    name: str
    slug: str
    kind: str
    weight: float

    @property
    def encoded_slug(self) -> str:
        return utf8_uri_encode(self.slug)


SECTIONS = (
    Section("أخبار", "أخبار", "news", 0.50),
    Section("بيانات", "بيانات", "statement", 0.10),
    Section("مقالات", "مقالات", "opinion", 0.10),
    Section("نشاطات المكاتب", "نشاطات-المكاتب", "office", 0.10),
    Section("قوات النخبة", "قوات-النخبة", "elite", 0.08),
    Section("حوارات", "حوارات", "interview", 0.07),
    Section("English", "english", "english", 0.05),
)
LIMITED_SECTION = SECTIONS[0]


@dataclass
class Post:
    """One WordPress post. `kind` is "original", "repost" (exact copy) or "near-duplicate"."""

    id: int
    published: datetime
    modified: datetime
    section: Section
    title: str
    slug: str  # encoded, lower-case hex
    kind: str
    story_id: int
    source_id: int | None
    date_sources: tuple[str, ...]
    has_teaser: bool
    has_featured_image: bool
    tags: tuple[tuple[str, str], ...]
    author: tuple[str, str] | None
    hidden: bool = False
    repost_declares_canonical: bool = False
    edited: bool = False
    deleted: bool = False
    epoch_added: int = 0
    is_seed_article: bool = False  # the real article of seed_article.py

    @property
    def lang(self) -> str:
        return "en" if self.section.kind == "english" else "ar"

    @property
    def path(self) -> str:
        """The canonical path, `/YYYY/MM/DD/<encoded slug>/`."""
        return f"/{self.published:%Y/%m/%d}/{self.slug}/"

    @property
    def listed(self) -> bool:
        return not self.hidden and not self.deleted


@dataclass(frozen=True)
class Image:
    src: str  # a site path; pages and truth make it absolute
    alt: str | None
    caption: str | None


@dataclass(frozen=True)
class ArticleText:
    """Everything on an article page that is drawn lazily (see `Site.article`)."""

    paragraphs: tuple[str, ...]
    teaser: str | None
    images: tuple[Image, ...]
    related: tuple[int, ...]
    read_also: int | None
    in_body_link: tuple[int, int] | None  # (paragraph index, target post id)
    body_image_after: int | None  # the body image follows this paragraph
    views: int
    comments: tuple[tuple[int, str, str], ...]  # (comment id, author, text)


def _weighted(rng: random.Random, choices):
    return rng.choices([value for value, _ in choices], weights=[weight for _, weight in choices])[0]


@dataclass(eq=False)
class Site:
    """A generated site. Build it with `build_site()`."""

    articles: int
    seed: int
    epoch: int
    posts: list[Post] = field(default_factory=list)
    by_id: dict[int, Post] = field(default_factory=dict)
    by_permalink: dict[tuple[str, str], Post] = field(default_factory=dict)
    forced_related: dict[int, list[int]] = field(default_factory=dict)
    most_read: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        # Per-site caches of the lazily drawn parts (a class-level cache would keep old sites alive).
        self.article = functools.lru_cache(maxsize=4096)(self._draw_article)
        self.paragraphs = functools.lru_cache(maxsize=4096)(self._draw_paragraphs)

    @property
    def now(self) -> datetime:
        return (NOW_AT_EPOCH_0 + timedelta(days=self.epoch)).replace(tzinfo=DAMASCUS)

    # -- listings -------------------------------------------------------------------------
    @functools.cached_property
    def listed_newest_first(self) -> list[Post]:
        return sorted((p for p in self.posts if p.listed), key=lambda p: p.published, reverse=True)

    def section_posts(self, section: Section) -> list[Post]:
        return self._section_posts[section.slug]

    @functools.cached_property
    def _section_posts(self) -> dict[str, list[Post]]:
        listing: dict[str, list[Post]] = {section.slug: [] for section in SECTIONS}
        for post in self.listed_newest_first:
            listing[post.section.slug].append(post)
        return listing

    def archive_page_limit(self, section: Section) -> int | None:
        """How many pages the section's archive lists (None: all of them)."""
        if section != LIMITED_SECTION:
            return None
        pages = -(-len(self.section_posts(section)) // POSTS_PER_PAGE)
        return max(1, int(pages * ARCHIVE_LISTED_SHARE))

    @functools.cached_property
    def tag_posts(self) -> dict[str, list[Post]]:
        listing: dict[str, list[Post]] = {}
        for post in self.listed_newest_first:
            for _, slug in post.tags:
                listing.setdefault(slug, []).append(post)
        return listing

    @functools.cached_property
    def author_posts(self) -> dict[str, list[Post]]:
        listing: dict[str, list[Post]] = {}
        for post in self.listed_newest_first:
            if post.author:
                listing.setdefault(post.author[1], []).append(post)
        return listing

    @functools.cached_property
    def month_posts(self) -> dict[tuple[int, int], list[Post]]:
        listing: dict[tuple[int, int], list[Post]] = {}
        for post in self.listed_newest_first:
            listing.setdefault((post.published.year, post.published.month), []).append(post)
        return listing

    @functools.cached_property
    def sitemap_posts(self) -> list[Post]:
        return [post for post in self.posts if post.listed]

    @functools.cached_property
    def _link_candidates(self) -> list[Post]:
        """Posts other articles may link to: listed, distinct stories, existing at epoch 0."""
        return [p for p in self.posts if p.kind != "repost" and not p.hidden and p.epoch_added == 0]

    @functools.cached_property
    def reposts_of(self) -> dict[int, list[Post]]:
        """Exact re-posts (existing, not deleted) of each original post id."""
        reposts: dict[int, list[Post]] = {}
        for post in self.posts:
            if post.kind == "repost" and not post.deleted:
                reposts.setdefault(post.source_id, []).append(post)
        return reposts

    @functools.cached_property
    def related_hosts(self) -> dict[int, list[int]]:
        """For each post only reachable through related blocks, the posts whose block links it."""
        hosts: dict[int, list[int]] = {}
        for host, hidden_ids in self.forced_related.items():
            for hidden_id in hidden_ids:
                hosts.setdefault(hidden_id, []).append(host)
        return hosts

    def truth(self, base_url: str, theme: str = "classic") -> list[dict]:
        """The ground truth of this site for pages served at `base_url` (see `replica.truth`)."""
        from replica.truth import site_truth  # truth.py builds on this module

        return site_truth(self, base_url, theme)

    # -- articles ---------------------------------------------------------------------------
    def lookup(self, year: str, month: str, day: str, slug: str) -> Post | None:
        return self.by_permalink.get((f"{year}/{month}/{day}", slug))

    def original_of(self, post: Post) -> Post:
        """The post whose content an exact re-post copies (the post itself otherwise)."""
        return self.by_id[post.source_id] if post.kind == "repost" else post

    def _draw_article(self, post_id: int) -> ArticleText:
        """Everything on the article page of `post_id` that `build_site` did not draw."""
        post = self.by_id[post_id]
        paragraphs = self.paragraphs(post_id)
        rng = random.Random(f"{self.seed}:page:{post.id}")
        story_rng = random.Random(f"{self.seed}:story:{post.story_id}")
        story = content.make_story(post.section.kind, post.published, story_rng)
        images: list[Image] = []
        if post.has_featured_image:
            caption = self._featured_caption(post, story, rng)
            alt = caption if rng.random() < 0.7 else None
            images.append(Image(f"/wp-content/uploads/{post.published:%Y/%m}/img-{post.id}-1.jpg", alt, caption))
        body_image_after = None
        if not post.is_seed_article and len(paragraphs) > 3 and rng.random() < 0.15:
            body_image_after = 1
            caption = content.compose_caption(story, rng)
            images.append(Image(f"/wp-content/uploads/{post.published:%Y/%m}/img-{post.id}-2.jpg", caption, caption))
        candidates = self._earlier_candidates(post)
        others = [p.id for p in candidates if p.id not in (post.id, post.story_id)]
        count = min(len(others), rng.randint(4, 6))
        forced = self.forced_related.get(post.id, [])
        drawn = [r for r in rng.sample(others, count) if r not in forced]
        related = (forced + drawn)[: max(count, len(forced))]
        read_also = rng.choice(others) if others and rng.random() < 0.3 else None
        in_body_link = None
        if others and len(paragraphs) > 2 and rng.random() < 0.2:
            in_body_link = (rng.randint(1, len(paragraphs) - 2), rng.choice(others))
        comments = tuple(
            (post.id * 10 + n, rng.choice(corpus.PEOPLE), rng.choice(("شكراً على المتابعة", "الله يحمي سوريا وأهلها", "متى ينتهي هذا الظلم؟")))
            for n in range(rng.choice((0, 0, 0, 1, 2, 3)))
        )
        return ArticleText(
            paragraphs=tuple(paragraphs),
            teaser=content.teaser_of(paragraphs) if post.has_teaser else None,
            images=tuple(images),
            related=tuple(related),
            read_also=read_also,
            in_body_link=in_body_link,
            body_image_after=body_image_after,
            views=rng.randint(40, 9000),
            comments=comments,
        )

    def _featured_caption(self, post: Post, story: content.Story, rng: random.Random) -> str | None:
        if post.is_seed_article:
            return seed_article.CAPTION
        return content.compose_caption(story, rng) if rng.random() < 0.85 else None

    def _earlier_candidates(self, post: Post) -> list[Post]:
        """Up to 40 linkable posts of the same section published before `post` (or any, if too few)."""
        section_pool, moments = self._link_candidates_by_section[post.section.slug]
        end = bisect.bisect_left(moments, post.published)
        chosen = section_pool[max(0, end - 40) : end]
        if len(chosen) < 6:
            chosen = [p for p in self._link_candidates[:41] if p.id != post.id][:40]
        return chosen

    @functools.cached_property
    def _link_candidates_by_section(self) -> dict[str, tuple[list[Post], list[datetime]]]:
        by_section: dict[str, tuple[list[Post], list[datetime]]] = {s.slug: ([], []) for s in SECTIONS}
        for post in self._link_candidates:
            pool, moments = by_section[post.section.slug]
            pool.append(post)
            moments.append(post.published)
        return by_section

    def _draw_paragraphs(self, post_id: int) -> tuple[str, ...]:
        """The clean body paragraphs of a post at this epoch."""
        post = self.by_id[post_id]
        original = self.original_of(post)
        if original.id != post.id:
            return self.paragraphs(original.id)
        if post.kind == "near-duplicate":
            source = list(self._first_version(post.source_id))
            paragraphs = content.reword(source, random.Random(f"{self.seed}:reword:{post.id}"))
        else:
            paragraphs = list(self._first_version(post.id))
        if post.edited and self.epoch >= 1:
            rng = random.Random(f"{self.seed}:edit:{post.id}")
            paragraphs.append(rng.choice(corpus.UPDATE_PARAGRAPHS))
        return tuple(paragraphs)

    def _first_version(self, post_id: int) -> tuple[str, ...]:
        post = self.by_id[post_id]
        if post.is_seed_article:
            return tuple(content.tidy(p) for p in seed_article.PARAGRAPHS)
        story_rng = random.Random(f"{self.seed}:story:{post.story_id}")
        story = content.make_story(post.section.kind, post.published, story_rng)
        return tuple(content.compose_body(story, random.Random(f"{self.seed}:body:{post.story_id}")))


def _new_post(
    site: Site, rng: random.Random, post_id: int, published: datetime, section: Section,
    taken: SlugRegistry, epoch_added: int,
) -> Post:
    story = content.make_story(section.kind, published, random.Random(f"{site.seed}:story:{post_id}"))
    title = content.compose_title(story, random.Random(f"{site.seed}:title:{post_id}"))
    tags: tuple[tuple[str, str], ...] = ()
    if section.kind != "english" and rng.random() < 0.25:
        tags = tuple(rng.sample(corpus.TAGS, rng.randint(1, 3)))
    edit_minutes = 0 if rng.random() < 0.5 else rng.randint(5, 600)
    return Post(
        id=post_id,
        published=published,
        modified=published + timedelta(minutes=edit_minutes),
        section=section,
        title=title,
        slug=taken.claim(sanitize_title(title)),
        kind="original",
        story_id=post_id,
        source_id=None,
        date_sources=_weighted(rng, DATE_PROFILES),
        has_teaser=rng.random() < 0.85,
        has_featured_image=rng.random() < 0.8,
        tags=tags,
        author=rng.choice(corpus.OPINION_AUTHORS) if section.kind == "opinion" else None,
        epoch_added=epoch_added,
    )


def _copy_post(rng: random.Random, post_id: int, published: datetime, source: Post,
               kind: str, taken: SlugRegistry) -> Post:
    if kind == "repost":
        title = source.title
    else:
        title = rng.choice(corpus.NEAR_DUPLICATE_TITLE_PREFIXES) + source.title.replace("في", "ضمن", 1)
    return Post(
        id=post_id, published=published, modified=published, section=source.section, title=title,
        slug=taken.claim(sanitize_title(title)), kind=kind, story_id=source.story_id,
        source_id=source.id, date_sources=source.date_sources, has_teaser=source.has_teaser,
        has_featured_image=source.has_featured_image, tags=source.tags, author=source.author,
        repost_declares_canonical=kind == "repost" and rng.random() < 0.5,
    )


def _local(moment: datetime) -> datetime:
    return moment.replace(tzinfo=DAMASCUS)


def _base_moments(rng: random.Random, count: int) -> list[datetime]:
    days = (LAST_DAY - FIRST_DAY).days + 1
    moments = [
        FIRST_DAY + timedelta(days=rng.randrange(days), hours=rng.randint(8, 22), minutes=rng.randrange(60))
        for _ in range(count)
    ]
    return sorted(moments)


def build_site(articles: int, seed: int, epoch: int = 0) -> Site:
    """Generate the site of `articles` posts at epoch 0, moved `epoch` days forward."""
    if articles < 1 or epoch < 0:
        raise ValueError("a site needs at least one article and a non-negative epoch")
    site = Site(articles=articles, seed=seed, epoch=epoch)
    rng = random.Random(f"{seed}:site")
    moments = _base_moments(rng, articles - 1) + [seed_article.PUBLISHED]
    moments.sort()
    seed_index = moments.index(seed_article.PUBLISHED)
    taken = SlugRegistry()
    originals: list[Post] = []
    for index, moment in enumerate(moments):
        post_id = 100 + 3 * index + rng.randrange(3)
        roll = rng.random()
        if index == seed_index:
            post = _seed_post(post_id, taken)
        elif roll < 0.04 and len(originals) > 10:
            source = rng.choice(originals[-300:])
            kind = "repost" if roll < 0.02 else "near-duplicate"
            post = _copy_post(rng, post_id, _local(moment), source, kind, taken)
        else:
            section = _weighted(rng, [(s, s.weight) for s in SECTIONS])
            post = _new_post(site, rng, post_id, _local(moment), section, taken, 0)
            post.hidden = rng.random() < 0.03 and len(originals) > 10
            post.edited = rng.random() < 0.05
            if not post.hidden:
                originals.append(post)
        site.posts.append(post)
    _index(site)
    _assign_hosts(site, rng)
    _choose_most_read_and_deleted(site)
    last_id = site.posts[-1].id
    for day in range(1, epoch + 1):
        day_rng = random.Random(f"{seed}:day:{day}")
        date = LAST_DAY + timedelta(days=day)
        times = sorted((day_rng.randint(8, 22), day_rng.randrange(60)) for _ in range(POSTS_PER_NEW_DAY))
        for number, (hour, minute) in enumerate(times):
            section = _weighted(day_rng, [(s, s.weight) for s in SECTIONS])
            post_id = last_id + 3 * ((day - 1) * POSTS_PER_NEW_DAY + number + 1)
            moment = _local(date.replace(hour=hour, minute=minute))
            post = _new_post(site, day_rng, post_id, moment, section, taken, day)
            site.posts.append(post)
    _index(site)
    if epoch >= 1:
        _apply_first_day_edits(site)
    return site


def _seed_post(post_id: int, taken: SlugRegistry) -> Post:
    published = _local(seed_article.PUBLISHED)
    return Post(
        id=post_id, published=published, modified=published + timedelta(minutes=42),
        section=SECTIONS[0], title=seed_article.TITLE, slug=taken.claim(sanitize_title(seed_article.TITLE)),
        kind="original", story_id=post_id, source_id=None, is_seed_article=True,
        date_sources=("meta", "url"), has_teaser=True, has_featured_image=True, tags=(), author=None,
    )


def _index(site: Site) -> None:
    site.by_id = {post.id: post for post in site.posts}
    site.by_permalink = {(f"{p.published:%Y/%m/%d}", p.slug): p for p in site.posts}


def _assign_hosts(site: Site, rng: random.Random) -> None:
    """Give every hidden post a visible host, published after it, whose related block links to it."""
    visible_by_section: dict[str, list[Post]] = {}
    for post in site.posts:
        if post.kind == "original" and not post.hidden and not post.is_seed_article:
            visible_by_section.setdefault(post.section.slug, []).append(post)
    for post in site.posts:
        if not post.hidden:
            continue
        section_posts = visible_by_section.get(post.section.slug, [])
        start = bisect.bisect_right([p.published for p in section_posts], post.published)
        later = section_posts[start : start + 30]
        host = rng.choice(later or section_posts or site.posts[:1])
        site.forced_related.setdefault(host.id, []).append(post.id)


def _choose_most_read_and_deleted(site: Site) -> None:
    """Pick the «most read» widget's posts and the one post deleted at epoch ≥ 1."""
    rng = random.Random(f"{site.seed}:widgets")
    sources = {p.source_id for p in site.posts if p.source_id}
    eligible = [
        p for p in site.posts
        if p.kind == "original" and not p.hidden and not p.edited and p.id not in sources
        and p.id not in site.forced_related and not p.is_seed_article
    ]
    chosen = rng.sample(eligible, min(len(eligible), 6))
    site.most_read = tuple(p.id for p in chosen[1:])
    if chosen and site.epoch >= 1:
        chosen[0].deleted = True


def _apply_first_day_edits(site: Site) -> None:
    for post in site.posts:
        if post.edited and post.epoch_added == 0:
            rng = random.Random(f"{site.seed}:edit-time:{post.id}")
            post.modified = _local(NOW_AT_EPOCH_0 + timedelta(hours=rng.randint(1, 20)))

