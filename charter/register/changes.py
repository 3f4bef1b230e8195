"""The changes of a group's life, recorded in its answers file without deleting anything:
a dissolution, or a renewal (the charter rendered anew, the earlier one kept in versions/)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ..core.errors import input_error
from ..render.documents import ANSWERS_FILE, FILE_NAMES, answers_file
from ..schema.answers import AnswersBase, answers_to_data
from ..schema.validation import validate_answers
from .groups import Entry
from .writing import Placement, place_files, write_charter


def _still_open(entry: Entry) -> None:
    if entry.answers.dissolved_on:
        raise input_error(entry.answers.lang, "already_dissolved", name=entry.answers.group.name,
                          on=entry.answers.dissolved_on.isoformat())


def _with_event(entry: Entry, event: dict, group_update: dict | None = None) -> AnswersBase:
    """The entry's answers with one more event, validated like any answers file (a date out of
    range or a reason too long is bad input here, before anything is moved)."""
    data = answers_to_data(entry.answers)
    data["group"].update(group_update or {})
    data["history"] = [*data.get("history", []), {k: v for k, v in event.items() if v not in (None, "")}]
    return validate_answers(data, entry.catalogue)


def record_dissolution(entry: Entry, on: date, reason: str) -> Path:
    """The dissolution in the answers file alone: the charter itself does not change."""
    _still_open(entry)
    answers = _with_event(entry, {"event": "dissolved", "on": on, "reason": reason})
    folder = place_files(entry.folder, entry.folder.parent, answers.group.name, {ANSWERS_FILE: answers_file(answers)},
                         Placement.REPLACE, answers.lang)
    return folder / ANSWERS_FILE


def record_renewal(entry: Entry, until: date, reason: str, on: date) -> list[Path]:
    """A new dissolution (or review) date: the charter is rendered again with it, the earlier kept in versions/."""
    _still_open(entry)
    if until <= on:
        raise input_error(entry.answers.lang, "renewal_until", field="--until", on=on.isoformat())
    answers = _with_event(entry, {"event": "renewed", "on": on, "reason": reason, "until": until},
                          {"dissolve_on": until} if entry.answers.group.dissolve_on else None)
    formats = [fmt for fmt, name in FILE_NAMES.items() if (entry.folder / name).exists()]
    return write_charter(answers, entry.unit, entry.folder.parent, Placement.VERSION, entry.folder, formats)
