"""The one clock: every command and the web count days from here.

CHARTER_TODAY=YYYY-MM-DD fixes the day, so reminders can be rehearsed and tested; a value
that is not a date is bad input, not a crash.
"""

from __future__ import annotations

import os
from datetime import date

from .errors import input_error
from .i18n import environment_lang

EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)


def today() -> date:
    fixed = os.environ.get("CHARTER_TODAY", "").strip()
    if not fixed:
        return date.today()
    try:
        day = date.fromisoformat(fixed)
    except ValueError:
        day = None
    if day is None or not EARLIEST <= day <= LATEST:
        raise input_error(environment_lang(), "bad_today", field="CHARTER_TODAY", value=fixed[:40])
    return day
