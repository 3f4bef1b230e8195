"""The register: the output folder, one group folder each, read as a list of groups and their dates.

Also the changes of a group's life (dissolution, renewal), recorded in its answers file
without deleting anything: a renewed charter is rendered anew and the earlier one kept in
versions/.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .answers import AnswersBase, Event
from .errors import InputError, input_error
from .output import ANSWERS_FILE, FILE_NAMES, archive_previous, write_files
from .i18n import messages
from .unit import Unit, catalogue_of, load_group

STATUS_ORDER = ("overdue", "due", "active", "dissolved")


def today() -> date:
    """Today, or the date in CHARTER_TODAY (YYYY-MM-DD), so reminders can be tested and rehearsed."""
    fixed = os.environ.get("CHARTER_TODAY")
    return date.fromisoformat(fixed) if fixed else date.today()


@dataclass(frozen=True)
class Entry:
    folder: Path
    answers: AnswersBase
    unit: Unit | None

    @property
    def catalogue(self):
        return catalogue_of(self.unit)

    @property
    def notice_days(self) -> int:
        return int(self.answers.param_values(self.catalogue).get("dissolve_notice_days", 7))

    def status(self, on: date, within: int | None = None) -> str:
        if self.answers.dissolved_on:
            return "dissolved"
        days = (self.answers.due_date() - on).days
        if days < 0:
            return "overdue"
        return "due" if days <= (self.notice_days if within is None else within) else "active"

    def attention_key(self, on: date) -> tuple:
        return STATUS_ORDER.index(self.status(on)), self.answers.due_date(), self.answers.group.name


@dataclass(frozen=True)
class Unreadable:
    folder: Path
    problem: str


def read_register(out_dir: Path) -> tuple[list[Entry], list[Unreadable]]:
    """Every group folder under out_dir; folders whose answers no longer validate are listed apart."""
    entries, unreadable = [], []
    if not out_dir.is_dir():
        return entries, unreadable
    for folder in sorted(p for p in out_dir.iterdir() if (p / ANSWERS_FILE).is_file()):
        try:
            answers, unit, _ = load_group(folder / ANSWERS_FILE)
        except InputError as error:
            unreadable.append(Unreadable(folder, error.report()))
            continue
        entries.append(Entry(folder, answers, unit))
    return entries, unreadable


def find_group(out_dir: Path, name: str, lang: str) -> Entry:
    """GROUP as a folder, or a unique part of a group's name."""
    given = Path(name)
    if (given / ANSWERS_FILE).is_file():
        answers, unit, _ = load_group(given / ANSWERS_FILE)
        return Entry(given, answers, unit)
    entries, _ = read_register(out_dir)
    matches = [e for e in entries if name.casefold() in e.answers.group.name.casefold()]
    exact = [e for e in matches if e.answers.group.name == name]
    if len(exact) == 1 or len(matches) == 1:
        return (exact or matches)[0]
    if not matches:
        raise input_error(lang, "no_group", name=name, dir=str(out_dir))
    raise input_error(lang, "many_groups", name=name,
                      groups=messages(lang)["list_sep"].join(e.answers.group.name for e in matches))


def _still_open(entry: Entry) -> None:
    if entry.answers.dissolved_on:
        raise input_error(entry.answers.lang, "already_dissolved", name=entry.answers.group.name,
                          on=entry.answers.dissolved_on.isoformat())


def record_dissolution(entry: Entry, on: date, reason: str) -> Path:
    """The dissolution in the answers file alone: the charter itself does not change."""
    from .documents import answers_file

    _still_open(entry)
    answers = entry.answers.model_copy(update={
        "history": [*entry.answers.history, Event(event="dissolved", on=on, reason=reason)]})
    return write_files(entry.folder, {ANSWERS_FILE: answers_file(answers)}, force=True, lang=answers.lang)[0]


def record_renewal(entry: Entry, until: date, reason: str, on: date) -> list[Path]:
    """A new dissolution (or review) date: the charter is rendered again with it, the earlier kept in versions/."""
    from .documents import write_charter

    _still_open(entry)
    if until <= on:
        raise input_error(entry.answers.lang, "renewal_until", field="--until", on=on.isoformat())
    group = entry.answers.group
    if group.dissolve_on is not None:
        group = group.model_copy(update={"dissolve_on": until})
    answers = entry.answers.model_copy(update={
        "group": group, "history": [*entry.answers.history, Event(event="renewed", on=on, reason=reason, until=until)]})
    formats = [fmt for fmt, name in FILE_NAMES.items() if (entry.folder / name).exists()]
    archive_previous(entry.folder)
    return write_charter(answers, entry.folder.parent, formats, force=True, unit=entry.unit, folder=entry.folder)
