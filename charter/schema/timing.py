"""Whether a group's dissolution notice, leave days and digest fit its life (created to
dissolve_on): one that cannot is refused when the answers are validated, one that barely does
is a finding of `charter check`.

Only values the answers give are weighed: the defaults are fitted to the group's life already
(a parameter's lifetime_share). A parameter counts when a chosen rule's text uses it; the
dissolution notice always does, since `charter due` counts it.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from jinja2 import TemplateError

from .answers import AnswersBase
from .catalogue import Catalogue

ALWAYS_COUNTED = "dissolve_notice_days"
DIGEST = "digest_every"


@dataclass(frozen=True)
class Timing:
    param: str
    value: int | str
    life: int  # the days the group lives
    fits: bool  # False: it cannot happen within the group's life
    limit: int  # the most that sits easily: days, or digests that come round


def _is_workday(day: date) -> bool:
    return day.weekday() < 5


def _last_workday_of_month(day: date) -> bool:
    last = date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])
    while not _is_workday(last):
        last -= timedelta(days=1)
    return day == last


# The days a digest choice is posted on, as its words in the catalogue say.
_DIGEST_DAYS: dict[str, Callable[[date], bool]] = {
    "daily": _is_workday, "weekly": lambda day: day.weekday() == 4, "monthly": _last_workday_of_month}


def _digests(start: date, end: date, choice: str) -> int:
    """How many digests come round between the group's creation and its last day."""
    posted = _DIGEST_DAYS[choice]
    return sum(posted(start + timedelta(days=n)) for n in range((end - start).days))


def uneasy_timings(answers: AnswersBase, catalogue: Catalogue) -> list[Timing]:
    """The given timings that do not fit, or barely fit, the group's life; none for a standing group."""
    life, end = answers.lifetime_days(), answers.group.dissolve_on
    if life is None or end is None:
        return []
    chosen = catalogue.chosen_rules(answers.preset(), answers.rules.on, answers.rules.off)
    used = {ALWAYS_COUNTED}
    for rule in chosen:
        try:
            used |= rule.params_named(answers.lang)
        except TemplateError:  # a unit's broken rule text: the render names it, by its rule
            continue
    found: list[Timing] = []
    for name, value in answers.given_params().items():
        param = catalogue.params.get(name)
        if name not in used or param is None:
            continue
        if param.lifetime_share and isinstance(value, int):
            easy = max(param.min or 1, life // param.lifetime_share)
            if value > easy:
                found.append(Timing(name, value, life, value <= life, easy))
        elif name == DIGEST and isinstance(value, str) and value in _DIGEST_DAYS:
            count = _digests(answers.group.created, end, value)
            if count < 2:
                found.append(Timing(name, value, life, count > 0, count))
    return found
