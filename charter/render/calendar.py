"""Calendar reminders: the dissolution date, or the review dates, with alarms before them."""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta, timezone

from icalendar import Alarm, Calendar, Event

from ..core.i18n import messages
from ..schema.answers import AnswersBase
from .templates import render_template

ALARM_DAYS = (30, 7, 1)
_UID_NAMESPACE = uuid.UUID("7d1f2c4e-9a55-4b6e-8f3a-2c0d8e61b9a1")


def event_uid(answers: AnswersBase, what: str) -> str:
    """The same group and event give the same UID, so a re-import updates instead of doubling."""
    key = f"{answers.group.name}|{answers.group.created.isoformat()}|{what}"
    return f"{uuid.uuid5(_UID_NAMESPACE, key)}@charter"


def _new_calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//charter//group rules//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    return calendar


def group_event(answers: AnswersBase, alarm_days: tuple[int, ...] = ALARM_DAYS, unit=None) -> Event:
    """The day the group needs its owner (dissolution, or review), with alarms before it.
    Its words come from the calendar-event template, which a unit can replace."""
    group = answers.group
    what = "dissolve" if group.dissolve_on else "review"
    words = render_template("calendar-event.txt.j2", {"t": messages(answers.lang), "group": group.model_dump(),
                                                      "what": what, "unit": unit.plain() if unit else None},
                            unit.templates if unit else None, answers.lang)
    summary, _, description = words.strip().partition("\n")
    event = Event()
    event.add("summary", summary.strip())
    event.add("description", description.strip())
    if what == "review":
        event.add("rrule", {"freq": "monthly", "interval": group.review_every_months})
    day = answers.due_date()
    event.add("uid", event_uid(answers, what))
    # Derived from the answers, not the clock, so the same answers give the same file.
    event.add("dtstamp", datetime.combine(group.created, time(0, 0), tzinfo=timezone.utc))
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    event.add("transp", "TRANSPARENT")
    # An alarm before the group exists would ring for nothing (a 3-day group has no 30-day alarm).
    for days in (d for d in alarm_days if day - timedelta(days=d) >= group.created):
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", event["summary"])
        alarm.add("trigger", timedelta(days=-days))
        event.add_component(alarm)
    return event


def build_calendar(answers: AnswersBase, alarm_days: tuple[int, ...] = ALARM_DAYS, unit=None) -> bytes:
    calendar = _new_calendar(messages(answers.lang)["title"].format(name=answers.group.name))
    calendar.add_component(group_event(answers, alarm_days, unit))
    return calendar.to_ical()


def register_calendar(groups: list, name: str, alarm_days: tuple[int, ...] = ALARM_DAYS) -> bytes:
    """One calendar for every open group of a register, given as (answers, unit) pairs; the UIDs
    match each group's own file."""
    calendar = _new_calendar(name)
    for answers, unit in groups:
        calendar.add_component(group_event(answers, alarm_days, unit))
    return calendar.to_ical()
