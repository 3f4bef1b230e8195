"""The changes of a group's life, recorded in its answers file without deleting anything:
a dissolution, or a renewal (the charter rendered anew, the earlier one kept in versions/).

Each change is made to the charter as it is on disk when it is written (register/writing.py
commit), so two changes at once both end up in the history."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ..core.clock import today
from ..core.errors import input_error
from ..core.tomlfile import parse_toml
from ..render.documents import ANSWERS_FILE, FILE_NAMES
from ..schema.answers import AnswersBase, answers_to_data
from ..schema.group import validate_for
from ..schema.validation import validate_answers
from .groups import Entry
from .writing import Placement, commit


def _as_on_disk(entry: Entry, before: bytes | None, keep_recorded: bool) -> AnswersBase:
    source = str(entry.folder / ANSWERS_FILE)
    if before is None:
        raise input_error(entry.answers.lang, "not_found", path=source)
    text = before.decode("utf-8-sig")
    return validate_for(parse_toml(text, source), entry.unit, source, text, keep_recorded, strict=True)


def _still_open(answers: AnswersBase) -> None:
    if answers.dissolved_on:
        raise input_error(answers.lang, "already_dissolved", name=answers.group.name,
                          on=answers.dissolved_on.isoformat())


def _with_event(answers: AnswersBase, catalogue, event: dict, group_update: dict | None = None) -> AnswersBase:
    """The answers with one more event, validated like any answers file (a date out of
    range or a reason too long is bad input here, before anything is moved)."""
    data = answers_to_data(answers)
    data["group"].update(group_update or {})
    data["history"] = [*data.get("history", []), {k: v for k, v in event.items() if v not in (None, "")}]
    return validate_answers(data, catalogue)


def record_dissolution(entry: Entry, on: date, reason: str) -> Path:
    """The dissolution in the answers file alone: the charter itself does not change (nor what it
    records of its unit)."""
    def dissolved(before: bytes | None) -> AnswersBase:
        answers = _as_on_disk(entry, before, keep_recorded=True)
        _still_open(answers)
        # A group may be called off before the day it was to start (today, then, is before it);
        # a day before both that start and today is a slip of the keyboard.
        if on < min(answers.group.created, today()):
            raise input_error(answers.lang, "event_before_created", field="--on", created=answers.group.created.isoformat())
        return _with_event(answers, entry.catalogue, {"event": "dissolved", "on": on, "reason": reason})

    [written] = commit(entry.folder.parent, Placement.RECORD, lambda: entry.folder, dissolved, entry.unit, (), "A4")
    return written


def record_renewal(entry: Entry, until: date, reason: str, on: date) -> list[Path]:
    """A new dissolution (or review) date: the charter is rendered again with it (and with what its
    unit sets now), the earlier kept in versions/."""
    def renewed(before: bytes | None) -> AnswersBase:
        answers = _as_on_disk(entry, before, keep_recorded=False)
        _still_open(answers)
        if until <= on:
            raise input_error(answers.lang, "renewal_until", field="--until", on=on.isoformat())
        if until == answers.due_date():  # recorded, it would keep an identical copy in versions/
            raise input_error(answers.lang, "renewal_same", field="--until", date=until.isoformat())
        return _with_event(answers, entry.catalogue, {"event": "renewed", "on": on, "reason": reason, "until": until},
                           {"dissolve_on": until} if answers.group.dissolve_on else None)

    formats = [fmt for fmt, name in FILE_NAMES.items() if (entry.folder / name).exists()]
    return commit(entry.folder.parent, Placement.VERSION, lambda: entry.folder, renewed, entry.unit, formats, "A4")
