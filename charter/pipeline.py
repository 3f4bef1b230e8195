"""From a validated model to a group's folder: every way a charter is written or changed.

The use cases, each one function: found a group (NEW), replace its charter (REPLACE, `render
--force`), keep the old one as a version (VERSION), a form's submission in a folder of its own
(FRESH), renew, dissolve. Each renders the documents (render/) and places them in the register
(register/), again from what is on disk then when someone else wrote the group in between, so
two changes at once both end up in its history. The command line, the questionnaire, the web's
workers and batch all write through here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from .core.clock import today
from .core.errors import input_error
from .core.formats import ANSWERS_FILE, DEFAULT_FORMATS, FILE_NAMES
from .core.tomlfile import parse_toml
from .register.entries import Entry
from .register.folders import group_folder
from .register.writing import Placement, keeping_history, on_disk, place_files
from .render.documents import render_documents
from .schema.answers import AnswersBase, answers_to_data
from .schema.group import validate_for
from .schema.unit import Unit, unit_reference
from .schema.validation import validate_answers

MAX_ATTEMPTS = 5


def commit(out_dir: Path, how: Placement, folder_for: Callable[[], Path | None],
           answers_for: Callable[[bytes | None], AnswersBase], unit: Unit | None, formats, paper: str,
           pdf_variant: str | None = None) -> list[Path]:
    """Render what answers_for makes of the charter on disk and place it; again, from what is there
    then, when someone else wrote the group's charter in between."""
    for _ in range(MAX_ATTEMPTS):
        folder = folder_for()
        before = on_disk(folder)
        answers = answers_for(before)
        if how is Placement.NEW and before is not None:
            raise input_error(answers.lang, "exists", path=str(folder))
        if unit is not None:
            reference, absolute = unit_reference(unit, out_dir)
            record = {"unit": reference, "unit_path": absolute}
            if formats:  # what the documents are made with (a change of the answers alone keeps the old record)
                record.update(unit_name=unit.info.name, unit_version=unit.info.version, unit_locked=unit.locked or None)
            answers = answers.model_copy(update=record)
        files = render_documents(answers, formats, paper, unit, pdf_variant)
        placed = place_files(folder, out_dir, answers.group.name, files, how, answers.lang, before)
        if placed is not None:
            return [placed / name for name in files]
    raise input_error(answers.lang, "busy", path=str(folder))


def write_charter(answers: AnswersBase, unit: Unit | None, out_dir: Path, how: Placement = Placement.NEW,
                  folder: Path | None = None, formats=DEFAULT_FORMATS, paper: str = "A4",
                  pdf_variant: str | None = None) -> list[Path]:
    """Render the charter and place it in the register; returns the files written.

    The folder is the group's own under out_dir unless given (a register entry's); FRESH
    always picks a new one. A charter replaced keeps its history (keeping_history). With a unit,
    the answers written record it (unit_reference, its name, version and locked answers), so a
    later render finds the same unit, even after the register moved, or says what changed.
    """
    if how is Placement.FRESH and folder is not None:
        raise ValueError("a fresh folder is chosen by the register, not given")

    def folder_for():
        return None if how is Placement.FRESH else folder or group_folder(out_dir, answers.group.name)

    return commit(out_dir, how, folder_for, lambda before: keeping_history(answers, before), unit, formats, paper,
                  pdf_variant)


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
