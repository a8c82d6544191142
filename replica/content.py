"""Article text: titles and bodies composed from the corpus, deterministically from a seeded RNG.

The text produced here is the CLEAN text the ground truth holds (NFC, single spaces, no tatweel, no
invisible marks). The noise a real page carries is added later, at render time, by `noise.py`.
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from replica import corpus

TEASER_WORDS = 29
TATWEEL = "\u0640"
ARABIC_INDIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
_SPACES = re.compile(r"\s+")
_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([،؛؟.])")
ORDINALS = ("الثاني", "الثالث", "الرابع", "الخامس", "السادس", "السابع", "الثامن", "التاسع", "العاشر")
# Words that some posts write with tashkeel (kept in the truth: the site wrote them so).
VOCALISED = {
    "الأسد": "الأسَد", "المدنيين": "المدنيّين", "الشعب": "الشَّعب", "الحرب": "الحَرْب",
    "سوريا": "سوريّا", "قوات": "قوّات", "النظام": "النِّظام",
}


def tidy(text: str) -> str:
    """Text as the truth holds it: NFC, no tatweel, single spaces, no space before ، ؛ ؟ ."""
    text = unicodedata.normalize("NFC", text).replace(TATWEEL, "")
    text = _SPACES.sub(" ", text).strip()
    return _SPACE_BEFORE_PUNCTUATION.sub(r"\1", text)


def teaser_of(paragraphs: list[str]) -> str:
    """WordPress `wp_trim_words(content, 29, '...')`: the first 29 words of the body plus "..."."""
    words = " ".join(paragraphs).split()
    return " ".join(words[:TEASER_WORDS]) + "..."


def word_count(text: str) -> int:
    return len(text.split())


@dataclass(frozen=True)
class Story:
    """The slot values one story uses everywhere (title, body, caption), so an article is coherent."""

    kind: str
    values: dict

    def fill(self, template: str, rng: random.Random) -> str:
        values = dict(self.values)
        values["number"] = rng.randint(3, 45)
        values["thousands"] = rng.randint(2, 90)
        return template.format(**values)


def levantine_date(moment: datetime, rng: random.Random) -> str:
    """A date as the body text writes it: «20 أيار 2017», sometimes paired «آذار/مارس 2016»."""
    earlier = moment - timedelta(days=rng.randint(1, 60))
    month = corpus.LEVANTINE_MONTHS[earlier.month - 1]
    if rng.random() < 0.25:
        return f"{month}/{corpus.STANDARD_MONTHS[earlier.month - 1]} {earlier.year}"
    return f"{earlier.day} {month} {earlier.year}"


def make_story(kind: str, published: datetime, rng: random.Random) -> Story:
    """Draw the slot values of a new story of `kind` (a key of `corpus.TITLES`)."""
    conferences = rng.sample(corpus.CONFERENCES, 2)
    values = {
        "party": corpus.PARTY,
        "place": rng.choice(corpus.SYRIAN_PLACES),
        "place2": rng.choice(corpus.SYRIAN_PLACES),
        "village": rng.choice(corpus.VILLAGES),
        "leader": corpus.PARTY_LEADER,
        "ordinal_f": rng.choice(corpus.ORDINALS_FEMININE),
        "east": rng.choice(corpus.EASTERN_PLACES),
        "office": rng.choice(corpus.OFFICE_CITIES),
        "aggressor": rng.choice(corpus.AGGRESSORS),
        "organisation": rng.choice(corpus.ORGANISATIONS),
        "agency": rng.choice(corpus.AGENCIES),
        "conference": conferences[0],
        "conference2": conferences[1],
        "topic": rng.choice(corpus.TOPICS),
        "meeting": rng.choice(corpus.MEETINGS),
        "group": rng.choice(corpus.GROUPS),
        "person": rng.choice(corpus.PEOPLE),
        "ordinal": rng.choice(ORDINALS),
        "weekday": rng.choice(corpus.WEEKDAYS),
        "levantine_date": levantine_date(published, rng),
        "levantine_month": corpus.LEVANTINE_MONTHS[published.month - 1],
        "place_en": rng.choice(corpus.ENGLISH_PLACES),
        "office_en": rng.choice(corpus.ENGLISH_OFFICE_CITIES),
        "weekday_en": rng.choice(corpus.ENGLISH_WEEKDAYS),
    }
    return Story(kind, values)


def compose_title(story: Story, rng: random.Random) -> str:
    template = rng.choice(corpus.TITLES[story.kind])
    if rng.random() < 0.8:
        tail = rng.choice(corpus.TITLE_TAILS[story.kind])
        if " ".join(tail.split()[:2]) not in template:  # no «لليوم الثالث على التوالي» twice
            template += tail
    return tidy(story.fill(template, rng))


def compose_caption(story: Story, rng: random.Random) -> str:
    if story.kind == "english":
        return story.fill("A view of {place_en}", rng)
    return tidy(story.fill(rng.choice(corpus.CAPTIONS), rng))


def _pick(rng: random.Random, options: tuple[str, ...]) -> str:
    return rng.choice(options)


def grammar_sentence(story: Story, rng: random.Random) -> str:
    """One sentence composed from the grammar parts of `corpus`, in the story's register."""
    if story.kind == "english":
        parts = corpus.ENGLISH_GRAMMAR
        sentence = " ".join(_pick(rng, parts[name]) for name in ("subjects", "verbs", "objects", "tails")) + "."
        return story.fill(sentence, rng)
    shapes = {
        "news": ("attack", "attack", "humanitarian", "reported"),
        "statement": ("party", "reported", "humanitarian"),
        "office": ("party", "party", "humanitarian"),
        "elite": ("elite", "elite", "reported"),
        "interview": ("party", "reported"),
        "opinion": ("humanitarian", "party", "attack"),
    }[story.kind]
    shape = rng.choice(shapes)
    when = _pick(rng, corpus.WHEN)
    if shape == "attack":
        verb, complement = _pick(rng, corpus.ACTIONS)
        words = [verb, _pick(rng, corpus.ACTORS), complement, _pick(rng, corpus.TARGETS), _pick(rng, corpus.WHERE), when + "،", _pick(rng, corpus.OUTCOMES)]
    elif shape == "reported":
        verb, particle = _pick(rng, corpus.SAYING_VERBS)
        action, complement = _pick(rng, corpus.ACTIONS)
        words = [verb, _pick(rng, corpus.REPORTERS), particle, _pick(rng, corpus.ACTORS), action, complement,
                 _pick(rng, corpus.TARGETS), _pick(rng, corpus.WHERE), when]
    elif shape == "party":
        verb, complement = _pick(rng, corpus.PARTY_ACTIONS)
        words = [verb, _pick(rng, corpus.PARTY_SUBJECTS), complement, _pick(rng, corpus.PARTY_OBJECTS),
                 _pick(rng, corpus.PARTY_CIRCUMSTANCES).replace("{when}", when)]
    elif shape == "humanitarian":
        verb, complement = _pick(rng, corpus.HUMANITARIAN_STATES)
        words = [verb, _pick(rng, corpus.HUMANITARIAN_SUBJECTS), complement, _pick(rng, corpus.HUMANITARIAN_NEEDS),
                 _pick(rng, corpus.WHERE), _pick(rng, corpus.HUMANITARIAN_CAUSES)]
    else:
        verb, complement = _pick(rng, corpus.ELITE_ACTIONS)
        words = [verb, _pick(rng, corpus.ELITE_SUBJECTS), complement, _pick(rng, corpus.ELITE_TARGETS), when + "،",
                 _pick(rng, corpus.OUTCOMES)]
    connector = _pick(rng, corpus.CONNECTORS)
    return story.fill(connector + " ".join(word for word in words if word) + ".", rng)


def _sentences(story: Story, rng: random.Random, count: int) -> list[str]:
    """`count` body sentences: mostly composed by the grammar, some from the section's bank."""
    if story.kind == "english":
        bank = list(corpus.ENGLISH_SENTENCES)
    else:
        bank = list(corpus.SENTENCES[story.kind])
        if story.kind != "news":
            bank += rng.sample(corpus.SENTENCES["news"], 4)
    rng.shuffle(bank)
    sentences = []
    for _ in range(count):
        if bank and rng.random() < 0.25:
            sentences.append(story.fill(bank.pop(), rng))
        else:
            sentences.append(grammar_sentence(story, rng))
    return sentences


def compose_body(story: Story, rng: random.Random) -> list[str]:
    """The clean paragraphs of a story: a lead of 30+ words, then 2–9 paragraphs of 1–3 sentences."""
    leads = corpus.ENGLISH_LEADS if story.kind == "english" else corpus.LEADS[story.kind]
    paragraph_count = rng.randint(3, 10)
    sentence_counts = [rng.randint(1, 3) for _ in range(paragraph_count)]
    sentences = _sentences(story, rng, sum(sentence_counts) + 3)
    lead = story.fill(rng.choice(leads), rng) if story.kind != "english" or rng.random() < 0.4 else sentences.pop()
    while word_count(lead) < TEASER_WORDS + 3:
        lead += " " + sentences.pop()
    paragraphs = [lead]
    for count in sentence_counts[1:]:
        paragraphs.append(" ".join(sentences[:count]))
        del sentences[:count]
    if story.kind == "statement":
        if rng.random() < 0.4:
            paragraphs = [paragraph.translate(ARABIC_INDIC_DIGITS) for paragraph in paragraphs]
        if rng.random() < 0.3:
            paragraphs[-1] += " ويؤكد التيار أن الاٍرهاب لا دين له ولا وطن."
        paragraphs.append(rng.choice(corpus.STATEMENT_SIGNATURES))
    if story.kind != "english" and rng.random() < 0.2:
        paragraphs = [_vocalise(paragraph) for paragraph in paragraphs]
    return [tidy(paragraph) for paragraph in paragraphs]


def _vocalise(paragraph: str) -> str:
    for plain, vocalised in VOCALISED.items():
        paragraph = paragraph.replace(f" {plain} ", f" {vocalised} ", 1)
    return paragraph


def reword(paragraphs: list[str], rng: random.Random, low: float = 0.86, high: float = 0.94) -> list[str]:
    """A republication of `paragraphs`: the same story with some words changed.

    Words are swapped for synonyms or spelling variants (مليشيات → ميليشيات …) or dropped, until
    the share of words kept in order (difflib's ratio over word lists) falls to a target drawn from [low, high]. Edits keep the
    word order, so the ratio is tracked exactly as 2·unchanged / (old length + new length).
    """
    target = rng.uniform(low, high)
    words = [paragraph.split() for paragraph in paragraphs]
    original_length = sum(len(paragraph) for paragraph in words)
    new_length, unchanged = original_length, original_length
    replacements = dict(corpus.REWORDINGS)
    positions = [(p, w) for p, paragraph in enumerate(words) for w in range(1, len(paragraph) - 1)]
    rng.shuffle(positions)
    for p, w in positions:
        word = words[p][w]
        stem = word.strip("،.:؛”“")
        if stem in replacements:
            replacement = word.replace(stem, replacements[stem])
        elif p > 0:  # the lead keeps its length: the teaser is its first 29 words
            replacement = ""
        else:
            continue
        length_after = new_length - 1 + len(replacement.split())
        ratio = 2 * (unchanged - 1) / (original_length + length_after)
        if ratio < low:
            continue
        words[p][w], new_length, unchanged = replacement, length_after, unchanged - 1
        if ratio <= target:
            break
    return [tidy(" ".join(word for word in paragraph if word)) for paragraph in words]
