"""Dates as Syrian and other Arabic news sites write them, parsed into tz-aware datetimes.

`parse_date` rewrites the text into a form dateparser reads, then lets dateparser (Gregorian,
relative) or hijridate (Hijri) do the parsing. The rewriting steps, in order (`_prepare`):

1. `clean`, harakat removed, Arabic-Indic digits to ASCII (نُشر → نشر, ٢١ → 21, صباحاً → صباحا);
2. a trailing views counter dropped («… 2017 3063 مشاهدات»);
3. a leading label dropped («نشر في:», «آخر تحديث:», or any short digit-free «…:»);
4. weekday names dropped, with «يوم» before them or before «أمس» (dateparser would read a lone
   weekday as a date; in «يوم أمس الجمعة» the weekday only repeats what «أمس» says);
5. era markers after a year dropped («2017م», «2017 ميلادي») — before step 6, since «م» also
   means p.m.;
6. «صباحا» / «مساء» written as ص / م, which dateparser knows, and a space put between a time
   and a glued ص / م («10:15م»);
7. every month name written as the standard name (تشرين الأول → أكتوبر, جانفي → يناير), with the
   names taken from dateparser's own Arabic locales: one dateparser call cannot mix regions
   (ar-SY with ar-DZ raises), and after this step one ar-SY parser reads them all. A paired form
   («أكتوبر/تشرين الأول», «تشرين الأول (أكتوبر)») naming one month twice becomes one name.

Text with no zone is Damascus time (`DAMASCUS`), so Syria's own +02:00/+03:00 history applies.
A date without a time is midnight; a day and month without a year is the most recent such date
not after `now`. Anything that is not a whole date (a bare time, a month and year, a weekday, a
number) gives None, never a guess.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

import regex
from dateparser.date import DateDataParser
from dateparser.languages.loader import default_loader
from hijridate import Hijri

from crawler.arabic import ascii_digits, clean, remove_harakat

DAMASCUS = ZoneInfo("Asia/Damascus")

# Gregorian years a news date can have; a year outside (e.g. 1439) is a Hijri year without its
# «هـ», or not a year at all.
_PLAUSIBLE_YEARS = range(1900, 2200)

_MONTHS = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
# The Arabic locales whose month names differ: Levant and Iraq (كانون الثاني…), Algeria and
# Tunisia (جانفي…), Morocco (يوليوز، غشت…), Mauritania (دجمبر…); all also list the standard names.
_ARABIC_LOCALES = ("ar-SY", "ar-DZ", "ar-TN", "ar-MA", "ar-MR")


def _letter_variants(name: str) -> str:
    """A regex matching `name` however its alefs, yehs and teh marbuta are written."""
    variants = {"ا": "[اأإآ]", "أ": "[اأإآ]", "إ": "[اأإآ]", "آ": "[اأإآ]",
                "ي": "[يى]", "ى": "[يى]", "ة": "[ةه]", " ": r"\s+"}  # fmt: skip
    return "".join(variants.get(char, regex.escape(char)) for char in name)


def _month_names() -> dict[str, int]:
    """Every Arabic month name dateparser knows in `_ARABIC_LOCALES`, to its month number."""
    names = {}
    for code in _ARABIC_LOCALES:
        info = default_loader.get_locale(code).info
        for number, month in enumerate(_MONTHS, start=1):
            names.update(dict.fromkeys(info[month], number))
    return names


_MONTH_NUMBER = _month_names()
_MONTH_PATTERNS = [
    (regex.compile(_letter_variants(name)), number) for name, number in _MONTH_NUMBER.items()
]
_STANDARD_MONTH = {
    number: default_loader.get_locale("ar").info[month][0]
    for number, month in enumerate(_MONTHS, start=1)
}
_MONTH_NAME = "|".join(
    _letter_variants(name) for name in sorted(_MONTH_NUMBER, key=len, reverse=True)
)
_MONTH = regex.compile(rf"(?<!\w)(?:{_MONTH_NAME})(?!\w)")
_PAIRED_MONTHS = regex.compile(
    rf"(?<!\w)(?P<first>{_MONTH_NAME})\s*(?:[/\\|-]\s*(?P<second>{_MONTH_NAME})"
    rf"|[(\[]\s*(?P<second>{_MONTH_NAME})\s*[)\]])(?!\w)"
)

_WEEKDAY_NAME = "|".join(
    _letter_variants(name)
    for day in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    for name in default_loader.get_locale("ar").info[day]
)
_WEEKDAY = regex.compile(rf"(?<!\w)(?:يوم\s+)?(?:{_WEEKDAY_NAME})(?!\w)\s*[,،]?")
_DAY_WORD_BEFORE_YESTERDAY = regex.compile(r"(?<!\w)يوم\s+(?=[اأ]مس(?!\w))")

_VIEWS_COUNTER = regex.compile(
    r"\s*\d[\d,.]*\s*(?:مشاهد[هة]|مشاهدات|قراء[هة]|قراءات|زيار[هة]|زيارات|views?)\W*$",
    regex.IGNORECASE,
)
_LABEL = regex.compile(
    r"^\W*(?:(?:تم\s+)?(?:النشر|نشر[ته]?|تاريخ\s+النشر|[اآ]خر\s+تحديث|[اآ]خر\s+تعديل|تاريخ"
    r"\s+التحديث|تم\s+التحديث|محدث|التاريخ|posted|published|updated|last\s+updated)"
    r"(?:\s+(?:في|بتاريخ|on))?|بتاريخ|[^\d:]{1,40}(?=:))\s*:?\s*",
    regex.IGNORECASE,
)
_ERA = regex.compile(r"(?<=(?<!\d)\d{4})\s*(?:م|ميلادي[هة]?|للميلاد)(?!\w)")
_MORNING = regex.compile(r"(?<!\w)(?:صباحا|صباح|فجرا)(?!\w)")
_EVENING = regex.compile(r"(?<!\w)(?:مساء|مساءا)(?!\w)")
_GLUED_MERIDIEM = regex.compile(r"(?<=\d)(?=[صم](?!\w))")
_NUMERIC_DATE = regex.compile(
    r"(?<!\d)(?:\d{1,2}[-/.]\d{1,2}[-/.]\d{4}|\d{4}[-/.]\d{1,2}[-/.]\d{1,2})(?!\d)"
)
_FOUR_DIGIT_NUMBER = regex.compile(r"(?<!\d)\d{4}(?!\d)")

_RELATIVE_DATE = regex.compile(
    r"(?:منذ|قبل)\s+(?:\d+\s+)?\w+|[اأ]مس|الامس|الأمس|اليوم"
    r"|(?:الأسبوع|الاسبوع|الشهر|السنة|العام)\s+الماضي[ةه]?"
)
_SINGULAR_UNIT = regex.compile(
    r"(?<=(?:منذ|قبل)\s+)(?=(?:ساع[ةه]|دقيق[ةه]|يوم|[اأ]سبوع|شهر|سن[ةه]|عام)(?!\w))"
)

# Spellings of the Hijri months in use that hijridate's month names do not cover.
_HIJRI_MONTH_SPELLINGS = {
    3: ["ربيع أول"],
    4: ["ربيع الآخر", "ربيع آخر", "ربيع ثاني"],
    5: ["جمادى الأول", "جمادى أولى"],
    6: ["جمادى الثانية", "جمادى الثاني", "جمادى الآخر", "جمادى آخرة"],
    11: ["ذي القعدة"],
    12: ["ذي الحجة"],
}
_HIJRI_MONTH_NAMES = {
    number: [Hijri(1440, number, 1).month_name("ar"), *_HIJRI_MONTH_SPELLINGS.get(number, [])]
    for number in range(1, 13)
}
_HIJRI_MONTH_PATTERNS = [
    (regex.compile(_letter_variants(name)), number)
    for number, names in _HIJRI_MONTH_NAMES.items()
    for name in names
]
_HIJRI_MONTH_NAME = "|".join(
    _letter_variants(name)
    for name in sorted(
        (name for names in _HIJRI_MONTH_NAMES.values() for name in names), key=len, reverse=True
    )
)
_HIJRI_ERA = r"\s*(?:ه|هـ|هجري[هة]?|للهجر[ةه])(?!\w)"
_HIJRI_DATE = regex.compile(
    rf"(?<!\w)(?P<day>\d{{1,2}})\s+(?P<month>{_HIJRI_MONTH_NAME})\s+(?P<year>\d{{4}})"
    rf"(?:{_HIJRI_ERA})?"
    rf"|(?<![\d/.-])(?P<day>\d{{1,2}})[-/.](?P<month_number>\d{{1,2}})[-/.](?P<year>\d{{4}})"
    rf"{_HIJRI_ERA}"
    rf"|(?<![\d/.-])(?P<year>\d{{4}})[-/.](?P<month_number>\d{{1,2}})[-/.](?P<day>\d{{1,2}})"
    rf"{_HIJRI_ERA}"
)
# «الموافق» ("corresponding to") joins the Hijri and Gregorian forms of one date.
_ALONGSIDE_HIJRI = regex.compile(r"(?<!\w)ال?موافق(?:\s+ل)?(?!\w)")
_ISO_DATE = regex.compile(r"\d{4}-\d{2}-\d{2}")

# dateparser's parsers, built once: the absolute parser has a fixed base so that the year it
# fills in for a year-less date is a leap year (29 February parses) and is then replaced.
_FILLER_BASE = datetime(2000, 1, 1)
_ABSOLUTE_SETTINGS = {
    "DATE_ORDER": "DMY",
    "PARSERS": ["absolute-time"],
    "RELATIVE_BASE": _FILLER_BASE,
}
_ARABIC_PARSER = DateDataParser(locales=["ar-SY"], settings=_ABSOLUTE_SETTINGS)
_ENGLISH_PARSER = DateDataParser(locales=["en"], settings=_ABSOLUTE_SETTINGS)
_ENGLISH_MONTH = regex.compile(
    "|".join(
        rf"(?<![a-z]){regex.escape(name)}(?![a-z])"
        for month in _MONTHS
        for name in default_loader.get_locale("en").info[month]
    ),
    regex.IGNORECASE,
)


def parse_date(text: str | None, now: datetime | None = None) -> datetime | None:
    """The moment `text` names, tz-aware, or None when `text` is not a date.

    Reads Gregorian dates with standard, Levantine or Maghrebi month names, paired month forms,
    any digits, weekday prefixes, labels, «الساعة», ص/م, «2017م» and a trailing views counter;
    D/M/Y numeric dates; ISO 8601; Hijri dates («3 ربيع الأول 1439 هـ», «14-09-1432 هـ»),
    converted to Gregorian; and relative dates («منذ 3 ساعات», «أمس», «قبل يومين») counted back
    from `now` (default: the current time). Never raises.
    """
    if not isinstance(text, str) or not text.strip():
        return None
    now = _in_damascus(now or datetime.now(DAMASCUS))
    prepared = _prepare(text)
    if not prepared:
        return None
    try:
        return (
            _parse_iso(prepared)
            or _parse_hijri(prepared, now)
            or _parse_gregorian(prepared, now)
            or _parse_relative(prepared, now)
        )
    except (ValueError, OverflowError):
        return None


def parse_http_date(value: str | None) -> datetime | None:
    """An HTTP date header (RFC 9110: «Tue, 03 Oct 2017 00:23:00 GMT») in Damascus time; None if invalid.

    A server's Last-Modified is the last resort for an article's modification time when its page shows none.
    """
    try:
        return parsedate_to_datetime(value).astimezone(DAMASCUS)
    except (TypeError, ValueError, IndexError):
        return None


def _in_damascus(moment: datetime) -> datetime:
    """`moment` as Damascus time; a naive `moment` is taken to be Damascus time already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=DAMASCUS)
    return moment.astimezone(DAMASCUS)


def _prepare(text: str) -> str:
    """`text` rewritten into what dateparser reads (the steps are in the module docstring)."""
    text = ascii_digits(remove_harakat(clean(text))).replace("\n", " ")
    text = _VIEWS_COUNTER.sub("", text)
    text = _LABEL.sub("", text, count=1)
    text = _DAY_WORD_BEFORE_YESTERDAY.sub("", _WEEKDAY.sub(" ", text))
    text = _ERA.sub("", text)
    text = _EVENING.sub("م", _MORNING.sub("ص", text))
    text = _GLUED_MERIDIEM.sub(" ", text)
    text = _PAIRED_MONTHS.sub(_one_month_of_pair, text)
    text = _MONTH.sub(lambda match: _STANDARD_MONTH[_month_number(match.group())], text)
    return " ".join(text.split())


def _month_number(name: str, patterns: list[tuple[regex.Pattern, int]] = _MONTH_PATTERNS) -> int:
    """The number of a month name matched by one of `patterns` (hamza/yeh variants allowed)."""
    spaced = " ".join(name.split())
    return next(number for pattern, number in patterns if pattern.fullmatch(spaced))


def _one_month_of_pair(match: regex.Match) -> str:
    """The first name of a paired month form when both name the same month; else the text as is."""
    first, second = match.group("first"), match.group("second")
    if _month_number(first) == _month_number(second):
        return first
    return match.group()


def _parse_iso(text: str) -> datetime | None:
    """An ISO 8601 date or date-time («2017-10-21T10:15:00+03:00»), its offset kept."""
    if not _ISO_DATE.match(text):
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.year not in _PLAUSIBLE_YEARS:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=DAMASCUS)


def _parse_hijri(text: str, now: datetime) -> datetime | None:
    """A Hijri date converted to Gregorian, with the time of day the text gives, if any.

    A text giving both calendars («3 ربيع الأول 1439 هـ - 21 نوفمبر 2017») is read by its
    Gregorian part.
    """
    match = _HIJRI_DATE.search(text)
    if not match:
        return None
    rest = _ALONGSIDE_HIJRI.sub(" ", f"{text[: match.start()]} {text[match.end() :]}")
    rest = " ".join(rest.split()).strip(" -–|/،,")
    if rest and (gregorian := _parse_gregorian(rest, now)):
        return gregorian
    if match.group("month_number"):
        month = int(match.group("month_number"))
    else:
        month = _month_number(match.group("month"), _HIJRI_MONTH_PATTERNS)
    gregorian_day = Hijri(int(match.group("year")), month, int(match.group("day"))).to_gregorian()
    if not rest:
        return datetime.combine(gregorian_day, time(), DAMASCUS)
    return _parse_gregorian(f"{gregorian_day.isoformat()} {rest}", now)


def _parse_gregorian(text: str, now: datetime) -> datetime | None:
    """A whole Gregorian date (day, month, optional year and time) read by dateparser.

    dateparser fills in what a text lacks (a bare «10:15» comes back as a whole date), so a text
    counts as a date only when it names a month or has a numeric date with a four-digit year, and
    a year only when it is written with four digits («31 أوت 31» is not 2031). A day and month
    without a year need a month name: «20/10» alone may be a score.
    """
    english_month = _ENGLISH_MONTH.search(text)
    month_name = english_month or _MONTH.search(text)
    if not (month_name or _NUMERIC_DATE.search(text)):
        return None
    parser = _ENGLISH_PARSER if english_month else _ARABIC_PARSER
    data = parser.get_date_data(text)
    if data.date_obj is None or not {"day", "month"} <= set(data.parts):
        return None
    moment = data.date_obj
    if "year" in data.parts and not _FOUR_DIGIT_NUMBER.search(text):
        return None
    if "year" not in data.parts:
        if not month_name:
            return None
        moment = _most_recent(moment, now)
    if moment is None or moment.year not in _PLAUSIBLE_YEARS:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=DAMASCUS)


def _most_recent(moment: datetime, now: datetime) -> datetime | None:
    """`moment`'s day, month and time in the latest year that does not put it after `now`."""
    reference = now.astimezone(moment.tzinfo) if moment.tzinfo else now.replace(tzinfo=None)
    for year in range(reference.year, reference.year - 8, -1):
        try:
            candidate = moment.replace(year=year)
        except ValueError:  # 29 February outside a leap year
            continue
        if candidate <= reference:
            return candidate
    return None


def _parse_relative(text: str, now: datetime) -> datetime | None:
    """A date relative to `now` («منذ 3 ساعات», «أمس», «قبل يومين»).

    Only a text that is a relative date and nothing else gets here (`_RELATIVE_DATE`): dateparser
    reads «2287 يوم» or «62661 أمس 381» as dates too. A relative time (hours, minutes) is exact
    elapsed time before `now`; a relative day («أمس») is that day's midnight, as for an absolute
    date without a time. The parser is built per call
    because its base is `now`; building one costs about 10 µs (dateparser caches locale data).
    """
    if not _RELATIVE_DATE.fullmatch(text):
        return None
    local_now = now.replace(tzinfo=None)
    parser = DateDataParser(
        locales=["ar-SY"], settings={"PARSERS": ["relative-time"], "RELATIVE_BASE": local_now}
    )
    data = parser.get_date_data(_singular_units_counted(text))
    if data.date_obj is None:
        return None
    if "time" in data.parts:
        # Aware arithmetic on one ZoneInfo is wall-clock arithmetic; elapsed time needs UTC.
        return (now.astimezone(UTC) - (local_now - data.date_obj)).astimezone(DAMASCUS)
    return datetime.combine(data.date_obj.date(), time(), DAMASCUS)


def _singular_units_counted(text: str) -> str:
    """«منذ ساعة» written «منذ 1 ساعة»: dateparser reads a unit only after a number."""
    return _SINGULAR_UNIT.sub("1 ", text)
