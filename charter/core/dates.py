"""Calendar arithmetic and dates written the way each language writes them."""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta
from functools import lru_cache

from babel.dates import format_date

from .i18n import BABEL_LOCALES


def add_months(start: date, months: int) -> date:
    """The same day `months` later, moved back to the month's last day when it has none."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


@lru_cache(maxsize=4096)  # a register of thousands of groups writes the same few hundred dates
def long_date(day: date, lang: str) -> str:
    """2026年12月31日 in Chinese, 31 December 2026 in English."""
    return format_date(day, "long", locale=BABEL_LOCALES[lang])


def weekday(day: date, lang: str) -> str:
    return format_date(day, "EEEE", locale=BABEL_LOCALES[lang])


_ISO = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
_MONTH_DAY = re.compile(r"^(\d{1,2})[-/.月](\d{1,2})日?$")
_RELATIVE = re.compile(r"^\+?(\d{1,4})\s*(d|w|m|天后?|日后?|周后?|星期后?|个月后?|月后?)$", re.IGNORECASE)


def parse_date(answer: str, today: date) -> date | None:
    """A date as people type it: 2026-12-31, 12-31 (the next one), +30d, +6w, +3m, 30天后, 3个月后.

    None when the text is not a date; whether it is too early is for the caller to say.
    """
    value = answer.strip().replace(" ", "")
    try:
        if match := _ISO.match(value):
            return date(*map(int, match.groups()))
        if match := _MONTH_DAY.match(value):
            month, day = map(int, match.groups())
            this_year = date(today.year, month, day) if (month, day) != (2, 29) or calendar.isleap(today.year) else None
            if this_year and this_year >= today:
                return this_year
            year = today.year + 1
            while (month, day) == (2, 29) and not calendar.isleap(year):
                year += 1
            return date(year, month, day)
    except ValueError:
        return None
    if match := _RELATIVE.match(value):
        count, unit = int(match.group(1)), match.group(2).lower()
        if unit in ("m",) or unit.startswith(("个月", "月")):
            return add_months(today, count)
        if unit == "w" or unit.startswith(("周", "星期")):
            return today + timedelta(weeks=count)
        return today + timedelta(days=count)
    return None
