"""Article identity: URL aliases, exact body keys, and the MinHash LSH index persisted in SQLite."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler import dedupe, store
from crawler.arabic import normalize
from crawler.dedupe import NearDuplicateIndex, identify, item_urls

BASE = "http://127.0.0.1:8123"
SEEN = datetime(2024, 5, 1, tzinfo=UTC)
WORDS = ["سوريا", "حلب", "دمشق", "إدلب", "الجيش", "المعارضة", "الحرس", "الثوري", "الإيراني", "زيارة", "لقاء", "رسالة", "تهنئة", "المرشد", "قوات", "النخبة", "المكتب", "السياسي", "الناطق", "الرسمي", "بيان", "اجتماع", "القاهرة", "غازي", "عنتاب", "أنقرة", "اسطنبول", "أورفة", "وفد", "مؤتمر", "الحل", "السياسي", "الانتقال", "الدستور", "اللجنة", "المفاوضات", "جنيف", "أستانا", "روسيا", "تركيا", "أمريكا"]


def random_text(rng: random.Random, words: int = 150) -> str:
    return " ".join(rng.choice(WORDS) + str(rng.randrange(50)) for _ in range(words))


def reworded(text: str, rng: random.Random, changed_share: float) -> str:
    words = text.split()
    for position in rng.sample(range(len(words)), int(len(words) * changed_share)):
        words[position] = "بديل" + str(rng.randrange(10_000))
    return " ".join(words)


def true_jaccard(first: str, second: str) -> float:
    a, b = dedupe.shingles(first), dedupe.shingles(second)
    return len(a & b) / len(a | b)


@pytest.fixture
def db(tmp_path):
    database = store.open_db(tmp_path / "news.db")
    yield database
    database.close()


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        ("مُحَمَّد في أركان", "محمد في اركان", True),
        ("نص  واحد\nهنا", "نص واحد هنا", True),
        ("الاٍرهاب", "الإرهاب", True),
        ("٣٠ عضواً", "30 عضوا", True),
        ("نص واحد", "نص آخر", False),
    ],
)
def test_body_hash_is_equal_for_spellings_of_one_text(first, second, same):
    assert (dedupe.body_hash(first) == dedupe.body_hash(second)) is same


@pytest.mark.parametrize(
    ("text", "size", "expected"),
    [
        ("", None, set()),
        ("مُحَمَّد  أَركان   سوريا أركان", None, {"محمد", "اركان", "سوريا"}),
        ("واحد", 3, {"واحد"}),
        ("واحد اثنان ثلاث", 3, {"واحد اثنان ثلاث"}),
        ("واحد اثنان ثلاث أربع", 3, {"واحد اثنان ثلاث", "اثنان ثلاث اربع"}),
        ("مُحَمَّد  أَركان   سوريا", 2, {"محمد اركان", "اركان سوريا"}),
    ],
)
def test_shingles_are_word_ngrams_of_the_normalized_text(text, size, expected):
    assert dedupe.shingles(text, size) == expected


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ("واحد اثنان ثلاث أربع", "واحد اثنان ثلاث أربع", 1.0),
        ("مُحَمَّد في أركان", "محمد في اركان", 1.0),
        ("واحد اثنان ثلاث أربع", "واحد اثنين ثلاث أربع", 0.75),  # 3 of 4 words in order: 2·3/8
        ("واحد اثنان ثلاث أربع", "أربع ثلاث اثنان واحد", 0.25),  # the same words reversed: LCS 1
        ("واحد اثنان", "", 0.0),
    ],
)
def test_text_similarity_counts_words_matching_in_order(first, second, expected):
    assert dedupe.text_similarity(first, second) == pytest.approx(expected)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), changed=st.floats(0.0, 0.5))
def test_signature_estimates_the_jaccard_similarity_of_shingles(seed, changed):
    rng = random.Random(seed)
    first = random_text(rng)
    second = reworded(first, rng, changed)
    estimate = dedupe.signature(first, 256).jaccard(dedupe.signature(second, 256))
    # 256 permutations: standard error at most 0.031; 0.15 is beyond four of them.
    assert abs(estimate - true_jaccard(first, second)) <= 0.15


def add_article(db, index, text: str, url: str) -> int:
    article_id = store.create_article(db, url, dedupe.body_hash(text), normalize(text), SEEN)
    index.add(article_id, dedupe.signature(text, index.num_perm))
    return article_id


def test_index_finds_near_duplicates_and_ignores_unrelated_texts(db):
    rng = random.Random(1)
    index = NearDuplicateIndex(db, threshold=0.5, num_perm=128)
    originals = [random_text(rng) for _ in range(30)]
    ids = [add_article(db, index, text, f"{BASE}/{number}/") for number, text in enumerate(originals)]
    for article_id, text in zip(ids, originals):
        match = index.candidates(dedupe.signature(reworded(text, rng, 0.05), 128))[0]
        assert match.article_id == article_id and match.similarity >= 0.5
    assert index.candidates(dedupe.signature(random_text(rng), 128)) == []


def test_index_persists_across_runs_without_rebuilding(db, tmp_path):
    rng = random.Random(2)
    text = random_text(rng)
    article_id = add_article(db, NearDuplicateIndex(db, 0.5, 128), text, f"{BASE}/a/")
    bands_before = list(db.execute("SELECT rowid, band, hash, article_id FROM minhash_bands ORDER BY rowid"))
    db.close()
    reopened = store.open_db(tmp_path / "news.db")
    index = NearDuplicateIndex(reopened, 0.5, 128)
    assert list(reopened.execute("SELECT rowid, band, hash, article_id FROM minhash_bands ORDER BY rowid")) \
        == bands_before
    assert index.candidates(dedupe.signature(reworded(text, rng, 0.05), 128))[0].article_id == article_id
    reopened.close()


def test_index_rebuilds_its_bands_when_the_layout_changes(db):
    rng = random.Random(3)
    text = random_text(rng)
    article_id = add_article(db, NearDuplicateIndex(db, 0.5, 128), text, f"{BASE}/a/")
    db["articles"].update(article_id, {"body": text})
    stricter = NearDuplicateIndex(db, 0.9, 128)
    assert db["minhash_bands"].count == len(stricter.band_ranges) != 25
    assert stricter.candidates(dedupe.signature(text, 128))[0].article_id == article_id
    longer = NearDuplicateIndex(db, 0.9, 64)
    assert longer.candidates(dedupe.signature(text, 64))[0].article_id == article_id


def test_index_lookup_uses_the_band_index(db):
    index = NearDuplicateIndex(db, 0.5, 128)
    keys = index.band_keys(dedupe.signature("نص", 128))
    plan = " ".join(row[3] for row in db.execute(
        "EXPLAIN QUERY PLAN " + dedupe.candidates_sql(len(keys)), [*keys, dedupe.MIN_SHARED_BANDS, 50]))
    assert "USING COVERING INDEX idx_minhash_bands_hash_article_id" in plan
    assert "USING INTEGER PRIMARY KEY" in plan
    # Only the bounded list of colliding articles is scanned, never a stored table.
    assert not any(f"SCAN {table}" in plan for table in ("minhash_bands", "minhash_signatures", "signatures"))


@pytest.mark.parametrize(
    ("url", "canonical_url", "shortlink", "canonical", "seen"),
    [
        (f"{BASE}/2017/10/21/a", None, None, f"{BASE}/2017/10/21/a/", [f"{BASE}/2017/10/21/a/"]),
        (f"{BASE}/?p=7", f"{BASE}/2017/10/21/a/", 7, f"{BASE}/2017/10/21/a/",
         [f"{BASE}/2017/10/21/a/", f"{BASE}/?p=7"]),
        (f"{BASE}/2017/10/21/a/?amp=1", "http://localhost/2017/10/21/a/", None, f"{BASE}/2017/10/21/a/",
         [f"{BASE}/2017/10/21/a/"]),
        (f"{BASE}/2017/10/21/%D8%A3/", f"{BASE}/2017/10/21/%d8%a3/#x", 12, f"{BASE}/2017/10/21/%d8%a3/",
         [f"{BASE}/2017/10/21/%d8%a3/", f"{BASE}/?p=12"]),
        (f"{BASE}/2017/10/21/old-slug/", f"{BASE}/2017/10/21/new-slug/", None, f"{BASE}/2017/10/21/new-slug/",
         [f"{BASE}/2017/10/21/new-slug/", f"{BASE}/2017/10/21/old-slug/"]),
    ],
)
def test_item_urls(url, canonical_url, shortlink, canonical, seen):
    urls = item_urls(url, canonical_url, shortlink, BASE)
    assert urls.canonical == canonical
    assert list(urls.seen) == seen


def test_identify_new_known_alias_and_near_duplicate(db):
    rng = random.Random(4)
    index = NearDuplicateIndex(db, 0.5, 128)
    body = random_text(rng)
    first = identify(db, index, item_urls(f"{BASE}/a/", None, 1, BASE), body, SEEN)
    assert first.outcome == "new" and first.duplicate_of is None
    again = identify(db, index, item_urls(f"{BASE}/?p=1", None, None, BASE), body, SEEN)
    assert again == dedupe.Identity(first.article_id, "known")
    repost = identify(db, index, item_urls(f"{BASE}/a-2/", None, 2, BASE), "  " + body.replace(" ", "  "), SEEN)
    assert repost == dedupe.Identity(first.article_id, "alias")
    near = identify(db, index, item_urls(f"{BASE}/b/", None, None, BASE), reworded(body, rng, 0.04), SEEN)
    assert near.outcome == "new" and near.duplicate_of == first.article_id and near.similarity >= 0.5
    other = identify(db, index, item_urls(f"{BASE}/c/", None, None, BASE), random_text(rng), SEEN)
    assert other.outcome == "new" and other.duplicate_of is None
    assert db["articles"].count == 3
    aliases = {row["url"]: row["article_id"] for row in db["url_aliases"].rows}
    assert aliases == {
        f"{BASE}/a/": first.article_id, f"{BASE}/?p=1": first.article_id, f"{BASE}/a-2/": first.article_id,
        f"{BASE}/?p=2": first.article_id, f"{BASE}/b/": near.article_id, f"{BASE}/c/": other.article_id,
    }
    row = db["articles"].get(near.article_id)
    assert (row["duplicate_of"], row["similarity"]) == (first.article_id, near.similarity)


def test_identify_refreshes_the_keys_of_an_edited_article(db):
    rng = random.Random(5)
    index = NearDuplicateIndex(db, 0.5, 128)
    first = identify(db, index, item_urls(f"{BASE}/a/", None, None, BASE), random_text(rng), SEEN)
    edited = random_text(rng)
    assert identify(db, index, item_urls(f"{BASE}/a/", None, None, BASE), edited, SEEN).outcome == "known"
    assert db["articles"].get(first.article_id)["body_hash"] == dedupe.body_hash(edited)
    assert index.candidates(dedupe.signature(edited, 128))[0].article_id == first.article_id
    assert identify(db, index, item_urls(f"{BASE}/b/", None, None, BASE), edited, SEEN) == dedupe.Identity(
        first.article_id, "alias")


def test_a_republication_of_a_republication_points_to_the_original(db):
    rng = random.Random(6)
    index = NearDuplicateIndex(db, 0.5, 128)
    original_body = random_text(rng)
    first_copy_body = reworded(original_body, rng, 0.04)
    second_copy_body = reworded(first_copy_body, rng, 0.02)
    assert true_jaccard(second_copy_body, first_copy_body) > true_jaccard(second_copy_body, original_body)
    original = identify(db, index, item_urls(f"{BASE}/a/", None, None, BASE), original_body, SEEN)
    identify(db, index, item_urls(f"{BASE}/b/", None, None, BASE), first_copy_body, SEEN)
    second = identify(db, index, item_urls(f"{BASE}/c/", None, None, BASE), second_copy_body, SEEN)
    assert second.duplicate_of == original.article_id
    assert second.similarity == index.similarity(dedupe.signature(second_copy_body, 128), original.article_id)


def test_an_original_stored_after_its_republications_becomes_the_original(db):
    rng = random.Random(7)
    index = NearDuplicateIndex(db, 0.5, 128)
    original_body = random_text(rng)
    copies = [reworded(original_body, rng, 0.04) for _ in range(2)]
    day = datetime(2017, 10, 21, tzinfo=UTC)
    newest = identify(db, index, item_urls(f"{BASE}/c/", None, None, BASE), copies[1], SEEN, day.replace(day=23))
    middle = identify(db, index, item_urls(f"{BASE}/b/", None, None, BASE), copies[0], SEEN, day.replace(day=22))
    assert middle.supersedes == newest.article_id and middle.duplicate_of is None
    original = identify(db, index, item_urls(f"{BASE}/a/", None, None, BASE), original_body, SEEN, day)
    assert original.supersedes == middle.article_id and original.duplicate_of is None
    rows = {row["url"]: row for row in db["articles"].rows}
    assert rows[f"{BASE}/a/"]["duplicate_of"] is None
    for url, body in ((f"{BASE}/b/", copies[0]), (f"{BASE}/c/", copies[1])):
        assert rows[url]["duplicate_of"] == original.article_id
        assert rows[url]["similarity"] == index.similarity(dedupe.signature(body, 128), original.article_id)
    # Without publication dates the order of arrival decides.
    undated = identify(db, index, item_urls(f"{BASE}/d/", None, None, BASE), reworded(original_body, rng, 0.03), SEEN)
    assert undated.duplicate_of == original.article_id


def test_an_exact_copy_published_earlier_gives_the_row_its_url(db):
    index = NearDuplicateIndex(db, 0.5, 128)
    body = random_text(random.Random(8))
    day = datetime(2017, 10, 21, tzinfo=UTC)
    repost = identify(db, index, item_urls(f"{BASE}/repost/", None, None, BASE), body, SEEN, day.replace(day=25))
    original = identify(db, index, item_urls(f"{BASE}/original/", None, None, BASE), body, SEEN, day)
    assert original == dedupe.Identity(repost.article_id, "alias")
    (row,) = db["articles"].rows
    assert (row["url"], row["published_at"]) == (f"{BASE}/original/", day.isoformat())
    assert store.article_id_for_urls(db, [f"{BASE}/repost/"]) == row["id"]
