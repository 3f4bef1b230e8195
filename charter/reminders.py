"""Calendar reminders: the dissolution date, or the review dates, with alarms before them."""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta, timezone

from icalendar import Alarm, Calendar, Event

from .answers import AnswersBase
from .dates import add_months
from .i18n import messages

ALARM_DAYS = (30, 7, 1)
_UID_NAMESPACE = uuid.UUID("7d1f2c4e-9a55-4b6e-8f3a-2c0d8e61b9a1")


def event_uid(answers: AnswersBase, what: str) -> str:
    """The same group and event give the same UID, so a re-import updates instead of doubling."""
    key = f"{answers.group.name}|{answers.group.created.isoformat()}|{what}"
    return f"{uuid.uuid5(_UID_NAMESPACE, key)}@charter"


def build_calendar(answers: AnswersBase, alarm_days: tuple[int, ...] = ALARM_DAYS) -> bytes:
    group, t = answers.group, messages(answers.lang)
    calendar = Calendar()
    calendar.add("prodid", "-//charter//group rules//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", t["title"].format(name=group.name))

    event = Event()
    if group.dissolve_on:
        what, day = "dissolve", group.dissolve_on
        event.add("summary", t["calendar_dissolve"].format(name=group.name))
        event.add("description", t["calendar_dissolve_desc"])
    else:
        what, day = "review", add_months(group.created, group.review_every_months)
        event.add("summary", t["calendar_review"].format(name=group.name))
        event.add("description", t["calendar_review_desc"])
        event.add("rrule", {"freq": "monthly", "interval": group.review_every_months})
    event.add("uid", event_uid(answers, what))
    # Derived from the answers, not the clock, so the same answers give the same file.
    event.add("dtstamp", datetime.combine(group.created, time(0, 0), tzinfo=timezone.utc))
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    event.add("transp", "TRANSPARENT")
    for days in alarm_days:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", event["summary"])
        alarm.add("trigger", timedelta(days=-days))
        event.add_component(alarm)
    calendar.add_component(event)
    return calendar.to_ical()
