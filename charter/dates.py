"""Calendar arithmetic and dates written the way each language writes them."""

from __future__ import annotations

import calendar
from datetime import date

from babel.dates import format_date

from .i18n import BABEL_LOCALES


def add_months(start: date, months: int) -> date:
    """The same day `months` later, moved back to the month's last day when it has none."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def long_date(day: date, lang: str) -> str:
    """2026年12月31日 in Chinese, 31 December 2026 in English."""
    return format_date(day, "long", locale=BABEL_LOCALES[lang])


def weekday(day: date, lang: str) -> str:
    return format_date(day, "EEEE", locale=BABEL_LOCALES[lang])
