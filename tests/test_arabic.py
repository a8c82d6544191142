"""Tests for crawler.arabic: each cleaning and folding rule, Lucene's normalizer cases, and the
properties everything downstream relies on (idempotence, no lost letters)."""

import unicodedata
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.arabic import (
    arabic_share,
    ascii_digits,
    clean,
    detect_lang,
    is_arabic,
    normalize,
    remove_harakat,
    word_count,
)

# Characters the site's text is made of, plus the debris clean() exists for, so that generated
# strings hit every rule far more often than uniform Unicode would.
INTERESTING = (
    "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"  # letters
    "آأإٱءؤئىةیک"  # hamza forms, alef maqsura, teh marbuta, Persian yeh and keheh
    "\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0653\u0654\u0655\u0670\u06d6\u06ed"
    "\u0640"  # tatweel
    "ﻻﻷﻹﻵﷲﷺﹲﹱﺍﺏ"  # presentation forms
    "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202e\u2066\u2069\ufeff\u00ad\u061c\x00\x1b"
    " \t\n\r\u00a0\u2003"
    "،؛؟.,;?!:«»“”\"'()-/…"
    "٠١٢٣٤٥٦٧٨٩۰۴۹0123456789"
    "AbCzİßé"
)
arabic_like_text = st.text(
    alphabet=st.one_of(st.sampled_from(INTERESTING), st.characters()), max_size=60
)


def arabic_letters_and_marks(text: str) -> Counter:
    """The Arabic letters and diacritics in `text`, counted in their decomposed (NFKD) form, so
    that a ligature and its letters, or أ and ا + hamza, count the same; tatweel is not a letter.
    """
    return Counter(
        char
        for char in unicodedata.normalize("NFKD", text)
        if unicodedata.name(char, "").startswith("ARABIC")
        and unicodedata.category(char)[0] in "LM"
        and char != "\u0640"
    )


# --- clean: one row per rule -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # presentation forms to letters
        ("ﻻ", "لا"),
        ("ﻷ", "لأ"),
        ("ﻹ", "لإ"),
        ("ﻵ", "لآ"),
        ("ﷲ", "الله"),
        ("ﺍﻟﻐﺪ ﺍﻟﺴﻮﺭﻱ", "الغد السوري"),
        ("ﷺ", "صلى الله عليه وسلم"),
        ("بﹱ", "بً"),  # medial fathatan: tatweel + mark, tatweel removed
        ("بﹲ", "بٌ"),  # isolated dammatan: the carrier space is dropped
        # invisible characters removed
        ("حل\u200bب", "حلب"),
        ("حل\u200cب", "حلب"),
        ("حل\u200dب", "حلب"),
        ("\u200fدمشق\u200e", "دمشق"),
        ("\u202bدمشق\u202c", "دمشق"),
        ("\u202eدمشق\u202c", "دمشق"),
        ("\u2067دمشق\u2069", "دمشق"),
        ("\u2066Idlib\u2069", "Idlib"),
        ("\ufeffالغد", "الغد"),
        ("إرها\u00adب", "إرهاب"),
        ("\u061cدمشق", "دمشق"),
        ("a\x00b\x1bc\x7fd", "abcd"),
        # tatweel removed
        ("الســــوري", "السوري"),
        ("بـ”المثالي”", "ب”المثالي”"),
        # NFC
        ("\u0627\u0654", "أ"),
        ("\u0627\u0655", "إ"),
        ("\u0627\u0653", "آ"),
        ("\u0648\u0654", "ؤ"),
        ("\u064a\u0654", "ئ"),
        ("e\u0301", "é"),
        # whitespace
        ("  بهية   مارديني ", "بهية مارديني"),
        ("و\tاشتهرت", "و اشتهرت"),
        ("دمشق\u00a0\u2003حلب", "دمشق حلب"),
        ("سطر\r\nسطر", "سطر\nسطر"),
        ("فقرة  \n\n\n   فقرة", "فقرة\n\nفقرة"),
        ("فقرة \n \n فقرة", "فقرة\n\nفقرة"),
        ("  \n سطر \n  ", "سطر"),
        # spaces before punctuation
        ("قال ، نعم", "قال، نعم"),
        ("أولا ؛ ثانيا", "أولا؛ ثانيا"),
        ("لماذا ؟", "لماذا؟"),
        ("انتهى .", "انتهى."),
        ("yes , no ; why ? so !", "yes, no; why? so!"),
        # kept as written
        ("مُحَمَّدٌ", "مُحَمَّدٌ"),
        ("الاٍرهاب", "الاٍرهاب"),
        ("أإآٱءؤئىة", "أإآٱءؤئىة"),
        ("٣٠ عضواً", "٣٠ عضواً"),
        ("۱۲۳ 123", "۱۲۳ 123"),
        ("“إيرنا” «سانا» \"x\" 'y'", "“إيرنا” «سانا» \"x\" 'y'"),
        ("و اشتهرت", "و اشتهرت"),
        ("", ""),
    ],
)
def test_clean(raw, expected):
    assert clean(raw) == expected


def test_clean_keeps_the_seed_article_title():
    title = "محمد باقري يتفقد مليشيات المرتزقة الإيرانيين في حلب بعد لقاء بشار الأسد في دمشق"
    assert clean(f"\u200f {title}\n") == title


# --- normalize: one row per rule ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # Lucene's TestArabicNormalizationFilter cases
        ("آجن", "اجن"),
        ("أحمد", "احمد"),
        ("إعاذ", "اعاذ"),
        ("بنى", "بني"),
        ("فاطمة", "فاطمه"),
        ("روبرـــــت", "روبرت"),
        ("مَبنا", "مبنا"),
        ("علِي", "علي"),
        ("بُوات", "بوات"),
        ("ولداً", "ولدا"),
        ("ولدٍ", "ولد"),
        ("ولدٌ", "ولد"),
        ("نلْسون", "نلسون"),
        ("هتميّ", "هتمي"),
        # the rest of the harakat range, superscript alef, Quranic marks
        ("كِتَٰبٌ", "كتب"),
        ("بٓ", "ب"),
        ("إِنَّ\u0654", "ان"),
        ("الرَّحِيمِ\u06d6", "الرحيم"),
        ("ذَٰلِكَ\u06e1", "ذلك"),
        ("قُرْءَانًا\u06ed", "قرءانا"),
        # alef forms, including wasla and decomposed hamza
        ("ٱلحمد", "الحمد"),
        ("\u0627\u0654حمد", "احمد"),
        ("الاٍرهاب", "الارهاب"),
        # ؤ and ئ kept, like Lucene
        ("مسؤول مسئول", "مسؤول مسئول"),
        ("سئل رؤوس", "سئل رؤوس"),
        ("ء", "ء"),
        # Persian letters
        ("ایران", "ايران"),
        ("کتاب", "كتاب"),
        ("علی", "علي"),
        # digits
        ("٣٠ عضواً", "30 عضوا"),
        ("۱۲۳۴۵۶۷۸۹۰", "1234567890"),
        ("٢٠١٧", "2017"),
        # Latin lower-cased
        ("Syria's TOMORROW", "syria s tomorrow"),
        ("ISTANBUL Idlib", "istanbul idlib"),
        # punctuation and symbols to spaces
        ("قال: “النجاح”، و«الانتصار»؟", "قال النجاح و الانتصار"),
        ("أولا؛ ثانيا! (ثالثا) [رابعا]", "اولا ثانيا ثالثا رابعا"),
        ("بـ”المثالي”", "ب المثالي"),
        ("10/21 - 2017", "10 21 2017"),
        ("$5 + 3% = €", "5 3"),
        ("100 ﷼", "100 ريال"),  # the rial sign is a presentation form: its letters stay
        # whitespace to single spaces on one line
        ("فقرة\n\nفقرة\tثالثة", "فقره فقره ثالثه"),
        # presentation forms and invisible characters via clean
        ("ﻻ إله إلا ﷲ", "لا اله الا الله"),
        ("حل\u200cب", "حلب"),
        ("", ""),
        ("«»", ""),
    ],
)
def test_normalize(raw, expected):
    assert normalize(raw) == expected


def test_normalize_folds_spelling_variants_of_one_headline_together():
    """Two sites' spellings of the seed story's words fold to one key."""
    assert normalize("مليشيات المرتزقة الإيرانيين في حلب") == normalize(
        "مِلِيشيَاتُ المُرتَزِقةِ الايرانيين فى حلب"
    )


@pytest.mark.parametrize(
    ("helper", "raw", "expected"),
    [
        (remove_harakat, "مُحَمَّدٌ", "محمد"),
        (remove_harakat, "أإآ", "أإآ"),
        (ascii_digits, "٢١ تشرين ۱۴", "21 تشرين 14"),
        (ascii_digits, "abc", "abc"),
    ],
)
def test_helpers(helper, raw, expected):
    assert helper(raw) == expected


# --- word count and language -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 0),
        ("   ", 0),
        ("محمد باقري يتفقد مليشيات المرتزقة الإيرانيين في حلب", 8),
        ("  بهية   مارديني ", 2),
        ("وكالة “إيرنا” صورا", 3),
        ("مُحَمَّدٌ", 1),
        ("الســــوري", 1),
        ("٣٠ عضواً", 2),
        ("Syria's Tomorrow Movement", 4),
        ("... — «» ،", 0),
        ("ﻻ إله إلا ﷲ", 4),
    ],
)
def test_word_count(text, expected):
    assert word_count(text) == expected


@pytest.mark.parametrize(
    ("text", "share", "lang"),
    [
        ("محمد باقري", 1.0, "ar"),
        ("Syria's Tomorrow Movement", 0.0, "en"),
        ("", 0.0, "en"),
        ("2017 - 123 !", 0.0, "en"),
        ("abcd حلب", 3 / 7, "en"),
        ("ab حلب", 3 / 5, "ar"),
        ("مُحَمَّد", 1.0, "ar"),
        ("ایران", 1.0, "ar"),
    ],
)
def test_language(text, share, lang):
    assert arabic_share(text) == pytest.approx(share)
    assert detect_lang(text) == lang
    assert is_arabic(text) == (lang == "ar")


# --- properties --------------------------------------------------------------------------------


@settings(max_examples=400)
@given(arabic_like_text)
def test_clean_is_idempotent(text):
    assert clean(clean(text)) == clean(text)


@settings(max_examples=400)
@given(arabic_like_text)
def test_normalize_is_idempotent(text):
    assert normalize(normalize(text)) == normalize(text)


@settings(max_examples=400)
@given(arabic_like_text)
def test_normalize_of_clean_is_normalize(text):
    assert normalize(clean(text)) == normalize(text)


@settings(max_examples=400)
@given(arabic_like_text)
def test_clean_never_loses_an_arabic_letter_or_diacritic(text):
    assert arabic_letters_and_marks(clean(text)) == arabic_letters_and_marks(text)


@settings(max_examples=300)
@given(arabic_like_text)
def test_clean_output_has_no_invisible_characters_or_space_runs(text):
    cleaned = clean(text)
    assert not set(cleaned) & set("\u200b\u200c\u200d\u200e\u200f\u202b\ufeff\u00ad\u0640\x00")
    assert "  " not in cleaned and cleaned == cleaned.strip()


@settings(max_examples=300)
@given(arabic_like_text)
def test_normalize_output_is_folded(text):
    folded = normalize(text)
    assert not set(folded) & set("آأإٱىةیک٠١٢٣٤٥٦٧٨٩۰۴۹\u064b\u064e\u0651\u0652\u0670\n")
    assert folded == folded.lower()
