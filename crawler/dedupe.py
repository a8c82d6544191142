"""Article identity: which stored article an item is, if any, and which earlier article it nearly repeats.

Three rules, in order (`identify`):
1. URL: any of the item's canonical URLs already in `url_aliases` → that article (an update).
2. Exact: the same `normalize`d body as a stored article → an alias of it, no new row.
3. Near: otherwise a new article; if MinHash LSH over word shingles of its normalized body finds an
   earlier article with estimated Jaccard similarity ≥ threshold whose words also match in order
   (`text_similarity` ≥ its threshold), the new row records in `duplicate_of` the first article of
   that story (the match, or what the match republishes) and the estimated `similarity` to it, so
   every republication of a story points to its original.

The LSH index lives in SQLite (`minhash_bands`, `minhash_signatures`), so a new run does not rebuild it
and a lookup costs one indexed query for its band hashes plus the few candidates it returns, however
many articles are stored. datasketch computes the signatures and the optimal band layout.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from datasketch import LeanMinHash, MinHash, MinHashLSH
from rapidfuzz.distance import Indel
from sqlite_utils import Database

from crawler import store
from crawler.arabic import normalize
from crawler.urls import canonicalize, is_same_site, shortlink_url

SHINGLE_WORDS = 1
# How many of the articles colliding with a new one in the LSH bands are compared with it.
CANDIDATE_LIMIT = 50
# A candidate must share at least this many LSH bands. Pairs close enough to pass the in-order text check
# (unigram Jaccard ≳ 0.75) share ≥ 2 of 25 bands with probability ≈ 0.99; unrelated articles of one site,
# which share its vocabulary, often collide in one band by chance, and comparing them all made the lookup
# grow with the database (bench/PROFILE.md).
MIN_SHARED_BANDS = 2
# Calibrated on the replica (tests/test_pipelines.py): see `text_similarity`.
DEFAULT_MIN_TEXT_SIMILARITY = 0.82
MINHASH_SEED = 1
# Pinned, because stored signatures and band hashes are only comparable within one permutation scheme.
MINHASH_SCHEME = "affine32"


def body_hash(body: str) -> str:
    """The exact-duplicate key of a body: SHA-256 of its normalized text."""
    return _sha256(normalize(body))


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def shingles(text: str, size: int | None = None) -> set[str]:
    """The word `size`-grams (default `SHINGLE_WORDS`) of `normalize(text)` (the whole text when shorter).

    Single words by default: a republication that changes one word in seven keeps most of its
    words but few of its longer n-grams, and word order is checked afterwards by `text_similarity`.
    """
    return _shingles_of_words(normalize(text).split(), size or SHINGLE_WORDS)


def _shingles_of_words(words: list[str], size: int) -> set[str]:
    if len(words) <= size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[start:start + size]) for start in range(len(words) - size + 1)}


def text_similarity(first: str, second: str) -> float:
    """How much of two texts' normalized words match in order: 2·LCS / (len₁ + len₂) over word sequences.

    Shingle sets cannot tell a republication from an unrelated post assembled from the same stock
    sentences (statements, party boilerplate) in another order; an in-order comparison can. It runs
    only on the candidates the MinHash index returns (rapidfuzz's Indel similarity, a few µs each).
    """
    return _word_similarity(normalize(first).split(), normalize(second).split())


def _word_similarity(first_words: list[str], second_words: list[str]) -> float:
    return Indel.normalized_similarity(first_words, second_words)


def signature(text: str, num_perm: int) -> LeanMinHash:
    """The MinHash signature of the shingles of `text`."""
    return _signature_of_words(normalize(text).split(), num_perm)


def _signature_of_words(words: list[str], num_perm: int) -> LeanMinHash:
    minhash = MinHash(num_perm=num_perm, seed=MINHASH_SEED, scheme=MINHASH_SCHEME)
    minhash.update_batch(shingle.encode("utf-8") for shingle in _shingles_of_words(words, SHINGLE_WORDS))
    return LeanMinHash(minhash)


@dataclass(frozen=True)
class NearMatch:
    """An earlier article whose body an item's body nearly repeats."""

    article_id: int
    similarity: float


class NearDuplicateIndex:
    """MinHash LSH persisted in SQLite: `add` a signature under an article id, `nearest` to query.

    The band layout (b bands of r rows) is the one datasketch chooses for `threshold` and `num_perm`;
    it is recorded in `minhash_index` and, if the settings change, the bands are rebuilt once from the
    stored signatures (or, when `num_perm` changed, from the stored bodies).
    """

    def __init__(self, db: Database, threshold: float, num_perm: int):
        self.db = db
        self.threshold = threshold
        self.num_perm = num_perm
        layout = MinHashLSH(threshold=threshold, num_perm=num_perm)
        self.band_ranges = layout.hashranges
        self._ensure_tables()
        self._rebuild_if_layout_changed()

    def candidates(self, minhash: LeanMinHash, limit: int = CANDIDATE_LIMIT) -> list[NearMatch]:
        """Indexed articles whose estimated similarity reaches the threshold, most similar (then earliest) first.

        Only the `limit` articles sharing the most bands with `minhash` are compared, so a lookup
        stays bounded even where many stored texts share boilerplate.
        """
        keys = self.band_keys(minhash)
        rows = self.db.execute(candidates_sql(len(keys)), [*keys, MIN_SHARED_BANDS, limit]).fetchall()
        matches = [
            NearMatch(article_id, minhash.jaccard(LeanMinHash.deserialize(hashvalues)))
            for article_id, hashvalues in rows
        ]
        matches = [match for match in matches if match.similarity >= self.threshold]
        return sorted(matches, key=lambda match: (-match.similarity, match.article_id))

    def similarity(self, minhash: LeanMinHash, article_id: int) -> float | None:
        """Estimated Jaccard similarity of `minhash` with the indexed signature of `article_id`."""
        row = self.db.execute(
            "SELECT hashvalues FROM minhash_signatures WHERE article_id = ?", [article_id]
        ).fetchone()
        return None if row is None else minhash.jaccard(LeanMinHash.deserialize(row[0]))

    def add(self, article_id: int, minhash: LeanMinHash) -> None:
        """Index `minhash` as the signature of `article_id`, replacing any earlier one."""
        self.remove(article_id)
        self.db.execute(
            "INSERT INTO minhash_signatures (article_id, hashvalues) VALUES (?, ?)", [article_id, _serialized(minhash)]
        )
        for band, key in enumerate(self.band_keys(minhash)):
            self.db.execute(
                "INSERT INTO minhash_bands (band, hash, article_id) VALUES (?, ?, ?)", [band, key, article_id]
            )

    def remove(self, article_id: int) -> None:
        """Forget the signature of `article_id`."""
        self.db.execute("DELETE FROM minhash_bands WHERE article_id = ?", [article_id])
        self.db.execute("DELETE FROM minhash_signatures WHERE article_id = ?", [article_id])

    def band_keys(self, minhash: LeanMinHash) -> list[int]:
        """One signed 64-bit key per band, hashing the band number with its rows of the signature."""
        values = minhash.hashvalues
        return [
            int.from_bytes(
                hashlib.blake2b(band.to_bytes(2, "big") + values[start:end].tobytes(), digest_size=8).digest(),
                "big",
                signed=True,
            )
            for band, (start, end) in enumerate(self.band_ranges)
        ]

    def _ensure_tables(self) -> None:
        self.db["minhash_index"].create({"name": str, "value": str}, pk="name", if_not_exists=True)
        self.db["minhash_signatures"].create(
            {"article_id": int, "hashvalues": bytes},
            pk="article_id",
            foreign_keys=[("article_id", "articles", "id")],
            if_not_exists=True,
        )
        self.db["minhash_bands"].create(
            {"band": int, "hash": int, "article_id": int},
            foreign_keys=[("article_id", "articles", "id")],
            if_not_exists=True,
        )
        self.db["minhash_bands"].create_index(["hash", "article_id"], if_not_exists=True)
        self.db["minhash_bands"].create_index(["article_id"], if_not_exists=True)

    def _rebuild_if_layout_changed(self) -> None:
        layout = {
            "num_perm": str(self.num_perm),
            "band_ranges": repr(self.band_ranges),
            "shingle_words": str(SHINGLE_WORDS),
            "seed": str(MINHASH_SEED),
            "scheme": MINHASH_SCHEME,
        }
        stored = {row["name"]: row["value"] for row in self.db["minhash_index"].rows}
        if stored == layout:
            return
        with self.db.atomic():
            signature_settings = ("num_perm", "shingle_words", "seed", "scheme")
            if all(stored.get(name) == layout[name] for name in signature_settings):
                signatures = [
                    (article_id, LeanMinHash.deserialize(hashvalues))
                    for article_id, hashvalues in self.db.execute(
                        "SELECT article_id, hashvalues FROM minhash_signatures"
                    )
                ]
            else:
                signatures = [
                    (article_id, signature(body, self.num_perm))
                    for article_id, body in self.db.execute(
                        "SELECT id, body FROM articles WHERE body IS NOT NULL"
                    )
                ]
            self.db.execute("DELETE FROM minhash_bands")
            self.db.execute("DELETE FROM minhash_signatures")
            for article_id, minhash in signatures:
                self.add(article_id, minhash)
            self.db["minhash_index"].upsert_all(
                [{"name": name, "value": value} for name, value in layout.items()], pk="name"
            )


def candidates_sql(band_count: int) -> str:
    """The lookup of `NearDuplicateIndex.candidates`: signatures of the articles sharing the most bands.

    Parameters: the `band_count` band keys, the minimum of shared bands, the limit.
    """
    placeholders = ", ".join("?" for _ in range(band_count))
    return (
        "SELECT signatures.article_id, signatures.hashvalues FROM minhash_signatures AS signatures JOIN "
        f"(SELECT article_id, count(*) AS shared_bands FROM minhash_bands WHERE hash IN ({placeholders}) "
        " GROUP BY article_id HAVING shared_bands >= ? ORDER BY shared_bands DESC, article_id LIMIT ?) AS colliding "
        "ON colliding.article_id = signatures.article_id"
    )


def _serialized(minhash: LeanMinHash) -> bytes:
    buffer = bytearray(minhash.bytesize())
    minhash.serialize(buffer)
    return bytes(buffer)


@dataclass(frozen=True)
class ItemUrls:
    """The URLs an item stands for: its canonical identity, the URL it was fetched from, all it was met under."""

    canonical: str
    fetched: str
    seen: tuple[str, ...]


def item_urls(url: str, canonical_url: str | None, shortlink: int | None, base_url: str | None) -> ItemUrls:
    """The identity URL of a fetched page and all its aliases, canonicalized against `base_url`.

    The page's declared canonical URL (rel=canonical / og:url) is trusted only when it is on the
    site of the fetched URL; otherwise the fetched URL itself is the identity. The `?p=ID`
    shortlink counts as an alias when the page declares its post id.
    """
    base = base_url or url
    fetched = canonicalize(url, base)
    declared = canonicalize(canonical_url, base) if canonical_url and is_same_site(canonical_url, url) else None
    canonical = declared or fetched
    seen = [canonical, fetched]
    if shortlink is not None:
        seen.append(shortlink_url(shortlink, base))
    return ItemUrls(canonical, fetched, tuple(dict.fromkeys(seen)))


def nearest_original(
    db: Database, index: NearDuplicateIndex, minhash: LeanMinHash, normalized_body: str, min_text_similarity: float
) -> NearMatch | None:
    """The article a (normalized) body republishes, if any: a candidate of `index` whose text matches in order.

    Returns the first article of that story (the match, or the article the match itself
    republishes) with the estimated Jaccard similarity of the signatures.
    """
    candidates = index.candidates(minhash)
    if not candidates:
        return None
    placeholders = ", ".join("?" for _ in candidates)
    stored = {
        article_id: (body_search or "", duplicate_of)
        for article_id, body_search, duplicate_of in db.execute(
            f"SELECT id, body_search, duplicate_of FROM articles WHERE id IN ({placeholders})",
            [match.article_id for match in candidates],
        )
    }
    words = normalized_body.split()
    verified = []
    for match in candidates:
        ratio = _word_similarity(words, stored[match.article_id][0].split())
        if ratio >= min_text_similarity:
            verified.append((ratio, match))
    if not verified:
        return None
    _, match = max(verified, key=lambda pair: (pair[0], -pair[1].article_id))
    original = stored[match.article_id][1]
    if original is None:
        return match
    return NearMatch(original, index.similarity(minhash, original))


def _published_before(published_at: datetime | None, other_published_at: str | None) -> bool:
    if published_at is None or other_published_at is None:
        return False
    other = datetime.fromisoformat(other_published_at)
    if (published_at.tzinfo is None) != (other.tzinfo is None):
        return False
    return published_at < other


def _make_original(
    db: Database, index: NearDuplicateIndex, article_id: int, minhash: LeanMinHash, former_original: int
) -> None:
    story = [former_original, *store.duplicates_of(db, former_original)]
    for member in story:
        store.set_duplicate_of(db, member, article_id, index.similarity(minhash, member))


@dataclass(frozen=True)
class Identity:
    """What `identify` decided: the article an item is, and how it relates to what was stored."""

    article_id: int
    outcome: str  # "known", "alias" or "new"
    duplicate_of: int | None = None
    similarity: float | None = None
    # A stored article this one turned out to precede: it (and its story) now point here.
    supersedes: int | None = None


def identify(
    db: Database,
    index: NearDuplicateIndex,
    urls: ItemUrls,
    body: str,
    seen_at: datetime,
    published_at: datetime | None = None,
    min_text_similarity: float = DEFAULT_MIN_TEXT_SIMILARITY,
) -> Identity:
    """Decide which article an item with `urls` and `body` is, record its identity and its aliases.

    A new article gets its row (identity columns only; `store.write_article` adds the content) and
    its signature in `index`; a known article whose body changed gets its keys refreshed. Archives
    are crawled newest first, so a republication is often stored before its original: an exact copy
    published earlier than the stored article gives the row its URL, and a near-duplicate published
    before the original of the story it matches becomes that original.
    """
    normalized = normalize(body)
    key = _sha256(normalized)
    article_id = store.article_id_for_urls(db, urls.seen)
    if article_id is not None:
        identity = Identity(article_id, "known")
        if store.article_row(db, article_id)["body_hash"] != key:
            store.set_body_hash(db, article_id, key)
            index.add(article_id, _signature_of_words(normalized.split(), index.num_perm))
    elif (article_id := store.article_id_for_body_hash(db, key)) is not None:
        identity = Identity(article_id, "alias")
    else:
        minhash = _signature_of_words(normalized.split(), index.num_perm)
        match = nearest_original(db, index, minhash, normalized, min_text_similarity)
        article_id = store.create_article(db, urls.canonical, key, normalized, seen_at, published_at)
        index.add(article_id, minhash)
        if match is None:
            identity = Identity(article_id, "new")
        elif _published_before(published_at, store.article_row(db, match.article_id)["published_at"]):
            _make_original(db, index, article_id, minhash, match.article_id)
            identity = Identity(article_id, "new", supersedes=match.article_id)
        else:
            store.set_duplicate_of(db, article_id, match.article_id, match.similarity)
            identity = Identity(article_id, "new", match.article_id, match.similarity)
    if identity.outcome != "new":
        row = store.article_row(db, identity.article_id)
        if row["url"] != urls.canonical and _published_before(published_at, row["published_at"]):
            store.set_article_url(db, identity.article_id, urls.canonical, published_at)
    store.record_aliases(db, identity.article_id, urls.seen, seen_at)
    return identity
