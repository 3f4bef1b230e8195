"""The register: the output folder, one group folder each, read as a list of groups and their dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..core.errors import InputError, input_error
from ..core.formats import ANSWERS_FILE
from ..core.i18n import environment_lang, messages, text
from ..core.tomlfile import read_toml
from ..schema.answers import RENDER_RECORD, AnswersBase, answers_to_data
from ..schema.group import load_group
from ..schema.unit import Unit, catalogue_of
from .folders import group_folder, group_folders, is_group_folder
from .index import RegisterIndex, signature
from .swap import leftovers, register_lock

STATUS_ORDER = ("overdue", "due", "active", "dissolved")


@dataclass(frozen=True)
class Entry:
    folder: Path
    answers: AnswersBase
    unit: Unit | None
    notices: tuple[str, ...] = ()  # what changed in its unit since it was rendered

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

    @property
    def shown(self) -> str:
        """The folder as text that can be printed, whatever bytes its name holds."""
        return printable(str(self.folder))

    @property
    def shown_name(self) -> str:
        return printable(self.folder.name)


def printable(value: str) -> str:
    # A name unzipped from a GBK archive holds bytes that are not UTF-8 (Python keeps them as
    # lone surrogates); shown, they become U+FFFD rather than an encoding error.
    return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def read_entry(folder: Path, index: RegisterIndex | None = None, units: dict | None = None) -> Entry:
    """A group as its charter was rendered, whatever its unit locks now (which the notices say).
    With an index, a charter.toml unchanged since it was last read is not parsed again; units
    holds the units this read has met (load_group)."""
    path = folder / ANSWERS_FILE
    parsed = index.parsed(path) if index is not None else None
    if parsed is not None:
        try:
            answers, unit, notices = load_group(path, keep_recorded=True, parsed=parsed, units=units)
            return Entry(folder, answers, unit, tuple(notices))
        except InputError:
            pass  # read the file itself, so that the problem names its line
    before = signature(path)
    data, source_text = read_toml(path, regular_only=True)
    if index is not None:
        index.remember(path, data, before)
    answers, unit, notices = load_group(path, keep_recorded=True, parsed=data, units=units)
    return Entry(folder, answers, unit, tuple(notices))


def read_register(out_dir: Path) -> tuple[list[Entry], list[Unreadable]]:
    """Every group folder under out_dir; folders that cannot be read (no charter.toml, answers that
    no longer validate, a unit that is gone) are listed apart, never left out. What a killed
    writer left is finished first, and the register is read under its shared lock, so no swap is
    ever seen half done."""
    if leftovers(out_dir):
        try:
            with register_lock(out_dir):
                pass  # taking it recovers
        except OSError:
            pass  # a register this user may only read
    entries, unreadable = [], []
    index, units = RegisterIndex(out_dir), {}
    with register_lock(out_dir, shared=True):
        for folder in group_folders(out_dir):
            if folder.is_symlink():
                # its charter is kept elsewhere: a write here would replace the link, not the group
                unreadable.append(Unreadable(folder, text(environment_lang(), "errors.group_link", path=str(folder))))
                continue
            if printable(folder.name) != folder.name:
                # no link, file name or page can name it as it is
                unreadable.append(Unreadable(folder, text(environment_lang(), "errors.folder_name_bytes",
                                                          path=printable(str(folder)))))
                continue
            try:
                entries.append(read_entry(folder, index, units))
            except InputError as error:
                unreadable.append(Unreadable(folder, printable(error.report())))
    index.save()
    return entries, unreadable


def still_as_made(folder: Path, answers: AnswersBase) -> bool:
    """Whether a group's charter holds exactly these answers and no event since (its record of the
    unit aside): what may be refreshed without anyone's change being lost."""
    try:
        current = read_entry(folder).answers
    except InputError:
        return False

    def plain(model: AnswersBase) -> dict:
        data = answers_to_data(model)
        for recorded in RENDER_RECORD:
            data.pop(recorded, None)
        return data

    return not current.history and plain(current) == plain(answers)


def open_namesake(out_dir: Path, name: str) -> Path | None:
    """The folder of the register's open group of this name, if it has one: a new charter of that
    name written beside it would be its twin, told apart by its folder alone."""
    folder = group_folder(out_dir, name)
    try:
        answers = read_entry(folder).answers if (folder / ANSWERS_FILE).is_file() else None
    except InputError:
        return None
    return folder if answers and answers.group.name == name and not answers.dissolved_on else None


def by_attention(entries: list[Entry], on: date) -> list[Entry]:
    """What needs the owner first: overdue, due, active, dissolved; then by date and name."""
    return sorted(entries, key=lambda e: e.attention_key(on))


def find_group(out_dir: Path, name: str, lang: str) -> Entry:
    """GROUP as a folder of the register (its folder name), a path to a group folder (with a
    slash), or a unique part of a group's name. A bare name is never looked up in the current
    folder: with --dir given, a same-named folder here is not the register's."""
    inside = out_dir / name
    if "/" not in name and "\\" not in name and is_group_folder(inside) and not inside.is_symlink() \
            and (inside / ANSWERS_FILE).is_file():
        return read_entry(inside)
    given = Path(name)
    if ("/" in name or "\\" in name) and (given / ANSWERS_FILE).is_file():
        return read_entry(given)
    entries, _ = read_register(out_dir)
    matches = [e for e in entries if name.casefold() in e.answers.group.name.casefold()]
    exact = [e for e in matches if e.answers.group.name == name]
    if len(exact) == 1 or len(matches) == 1:
        return (exact or matches)[0]
    if not matches:
        raise input_error(lang, "no_group", name=name, dir=str(out_dir))
    raise input_error(lang, "many_groups", name=name,
                      groups=messages(lang)["list_sep"].join(e.answers.group.name for e in matches))
