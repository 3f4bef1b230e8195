"""Calendar reminders: the dissolution date, or the review dates, with alarms before them.

Written as iCalendar text here, in the exact bytes the icalendar library writes (a property test
compares the two): a register of 2,000 groups spent two thirds of `charter calendar` in that
library's objects and line folding, for a handful of fixed lines per event.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from ..core.i18n import messages
from ..schema.answers import AnswersBase
from .templates import render_template

ALARM_DAYS = (30, 7, 1)
_UID_NAMESPACE = uuid.UUID("7d1f2c4e-9a55-4b6e-8f3a-2c0d8e61b9a1")
_FOLD_OCTETS = 75


def event_uid(answers: AnswersBase, what: str) -> str:
    """The same group and event give the same UID, so a re-import updates instead of doubling."""
    key = f"{answers.group.name}|{answers.group.created.isoformat()}|{what}"
    return f"{uuid.uuid5(_UID_NAMESPACE, key)}@charter"


def ical_text(value: str) -> str:
    """A TEXT value escaped as RFC 5545 says (and in icalendar's order)."""
    return (value.replace(r"\N", "\n").replace("\\", "\\\\").replace(";", r"\;").replace(",", r"\,")
            .replace("\r\n", r"\n").replace("\n", r"\n").replace("\r", r"\n"))


def _folded(line: str) -> str:
    """A content line folded before 75 octets, never between a backslash and what it escapes."""
    if len(line) * 4 < _FOLD_OCTETS or len(line.encode("utf-8")) < _FOLD_OCTETS:  # a character is 1-4 octets
        return line
    parts: list[str] = []
    current: list[str] = []
    octets = 0
    for char in line:
        size = len(char.encode("utf-8"))
        if current and octets + size >= _FOLD_OCTETS:
            carried = [current.pop()] if len(current) > 1 and current[-1] in "\\^" else []
            parts.append("".join(current))
            current, octets = carried, sum(len(c.encode("utf-8")) for c in carried)
        current.append(char)
        octets += size
    parts.append("".join(current))
    return "\r\n ".join(parts)


def _content(lines: list[str]) -> str:
    return "\r\n".join(map(_folded, lines)) + "\r\n"


def group_event(answers: AnswersBase, alarm_days: tuple[int, ...] = ALARM_DAYS, unit=None) -> str:
    """The day the group needs its owner (dissolution, or review), with alarms before it, as
    VEVENT lines. Its words come from the calendar-event template, which a unit can replace."""
    group = answers.group
    what = "dissolve" if group.dissolve_on else "review"
    words = render_template("calendar-event.txt.j2", {"t": messages(answers.lang), "group": group.model_dump(),
                                                      "what": what, "unit": unit.plain() if unit else None},
                            unit.templates if unit else None, answers.lang)
    summary, _, description = words.strip().partition("\n")
    summary, description = ical_text(summary.strip()), ical_text(description.strip())
    day = answers.due_date()
    renewals = [event for event in answers.history if event.event == "renewed"]
    lines = ["BEGIN:VEVENT", f"SUMMARY:{summary}", f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
             f"DTEND;VALUE=DATE:{day + timedelta(days=1):%Y%m%d}",
             # Derived from the answers, not the clock, so the same answers give the same file; each
             # renewal is a new revision of the same event, so a calendar re-importing it moves the date.
             f"DTSTAMP:{(renewals[-1].on if renewals else group.created):%Y%m%d}T000000Z",
             f"UID:{ical_text(event_uid(answers, what))}", f"SEQUENCE:{len(renewals)}"]
    if what == "review":
        lines.append(f"RRULE:FREQ=MONTHLY;INTERVAL={group.review_every_months}")
    lines += [f"DESCRIPTION:{description}", "TRANSP:TRANSPARENT"]
    # An alarm before the group exists would ring for nothing (a 3-day group has no 30-day alarm).
    for days in (d for d in alarm_days if day - timedelta(days=d) >= group.created):
        lines += ["BEGIN:VALARM", "ACTION:DISPLAY", f"DESCRIPTION:{summary}", f"TRIGGER:{'-' if days else ''}P{days}D",
                  "END:VALARM"]
    return _content([*lines, "END:VEVENT"])


def _calendar(name: str, events: list[str]) -> bytes:
    # An X- property is written as it is (icalendar does so); a name is one line, checked as answers are.
    head = _content(["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//charter//group rules//EN", f"X-WR-CALNAME:{name}"])
    return (head + "".join(events) + "END:VCALENDAR\r\n").encode("utf-8")


def build_calendar(answers: AnswersBase, alarm_days: tuple[int, ...] = ALARM_DAYS, unit=None) -> bytes:
    return _calendar(messages(answers.lang)["title"].format(name=answers.group.name),
                     [group_event(answers, alarm_days, unit)])


def register_calendar(groups: list, name: str, alarm_days: tuple[int, ...] = ALARM_DAYS) -> bytes:
    """One calendar for every open group of a register, given as (answers, unit) pairs; the UIDs
    match each group's own file."""
    return _calendar(name, [group_event(answers, alarm_days, unit) for answers, unit in groups])
