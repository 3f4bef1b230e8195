"""charter writes its iCalendar text itself, for speed; these tests hold it to the bytes the
icalendar library writes for the same events, and to what calendar programs read back."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Alarm, Calendar, Event

from charter.render import calendar as ours
from charter.schema.validation import validate_answers

_words = st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from(list("\\;,:^\n\r\"'")),
                 max_size=120)


def _reference(name: str, summary: str, description: str, uid: str, day: date, stamp: date, sequence: int,
               months: int | None, alarm_days: tuple[int, ...]) -> bytes:
    """The same event built with icalendar, as charter did before it wrote the text itself."""
    calendar = Calendar()
    calendar.add("prodid", "-//charter//group rules//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    event = Event()
    event.add("summary", summary)
    event.add("description", description)
    if months:
        event.add("rrule", {"freq": "monthly", "interval": months})
    event.add("uid", uid)
    event.add("dtstamp", datetime.combine(stamp, time(0, 0), tzinfo=timezone.utc))
    event.add("sequence", sequence)
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


_line = _words.filter(lambda s: "\n" not in s and "\r" not in s)


@settings(max_examples=200, deadline=None)
@given(name=_line, summary=_line, description=_words,
       created=st.dates(date(2000, 1, 1), date(2090, 1, 1)), days=st.integers(1, 3000),
       months=st.none() | st.integers(1, 24), alarm_days=st.lists(st.integers(0, 365), max_size=4, unique=True),
       renewals=st.integers(0, 3))
def test_our_text_is_icalendars_bytes(name, summary, description, created, days, months, alarm_days, renewals):
    alarm_days = tuple(sorted(alarm_days, reverse=True))
    day = created + timedelta(days=days)
    group = {"name": "群", "purpose": "用途", "kind": "standing" if months else "temporary", "created": created,
             **({"review_every_months": months} if months else {"dissolve_on": day})}
    # a standing group's renewal sets its next review, so the event falls on `day` either way
    renewals = max(renewals, 1) if months else renewals
    renewed_on = [created + timedelta(days=min(n, days - 1)) for n in range(renewals)]  # each before `day`
    history = [{"event": "renewed", "on": on, "until": day} for on in renewed_on]
    answers = validate_answers({"lang": "zh", "group": group, "owner": {"name": "李明"}, "history": history})
    uid = ours.event_uid(answers, "review" if months else "dissolve")
    with pytest.MonkeyPatch.context() as patch:  # the words as given, whatever the template would say
        patch.setattr(ours, "render_template", lambda *args: f"{summary}\n{description}")
        written = ours._calendar(name, [ours.group_event(answers, alarm_days)])
    title, _, text = f"{summary}\n{description}".strip().partition("\n")  # as the template's words are read
    # charter leaves out an alarm that would ring before the group exists; the reference is given the rest
    kept = tuple(d for d in alarm_days if day - timedelta(days=d) >= created)
    stamp = renewed_on[-1] if renewed_on else created
    assert written == _reference(name, title.strip(), text.strip(), uid, day, stamp, renewals, months, kept)
    read_back = Calendar.from_ical(written).walk("VEVENT")[0]["summary"]
    assert read_back == title.strip().replace("\r\n", "\n").replace("\r", "\n")  # line ends become \n
