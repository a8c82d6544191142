"""Dates as the site writes them: WordPress Arabic date lines, ISO meta values, HTTP and RSS dates."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime

from replica import corpus


def wordpress_date(moment: datetime) -> str:
    """WordPress `j F، Y` in the Arabic locale: «13 يونيو، 2017»."""
    return f"{moment.day} {corpus.STANDARD_MONTHS[moment.month - 1]}، {moment.year}"


def levantine_date_time(moment: datetime) -> str:
    """A magazine theme's line: «السبت 21 تشرين الأول 2017 - 10:15 م» (12-hour clock, ص/م)."""
    hour = moment.hour % 12 or 12
    half = "ص" if moment.hour < 12 else "م"
    weekday = corpus.WEEKDAYS[moment.weekday()]
    month = corpus.LEVANTINE_MONTHS[moment.month - 1]
    return f"{weekday} {moment.day} {month} {moment.year} - {hour}:{moment.minute:02d} {half}"


def numeric_date_time(moment: datetime) -> str:
    """The other common form: «نُشر في: 21/10/2017 10:15» (24-hour clock)."""
    return f"نُشر في: {moment.day:02d}/{moment.month:02d}/{moment.year} {moment.hour:02d}:{moment.minute:02d}"


def iso(moment: datetime) -> str:
    """ISO 8601 with the Damascus offset of that date: 2017-10-21T10:15:00+03:00."""
    return moment.isoformat(timespec="seconds")


def http_date(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def rss_date(moment: datetime) -> str:
    """RSS 2.0 pubDate as WordPress writes it (UTC, +0000)."""
    return moment.astimezone(UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")
