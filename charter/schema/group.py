"""One group's answers with its unit: the single way answers become a validated model."""

from __future__ import annotations

from pathlib import Path
from typing import TypeAlias

from ..core.dotted import Tree
from ..core.errors import InputError, Problem
from ..core.i18n import lang_or, text
from ..core.tomlfile import key_lines, line_of, read_toml
from .answers import AnswersBase
from .unit import Unit, catalogue_of, find_unit, is_unit, load_unit
from .validation import validate_answers

# The units found in one read of a register: by the folder above a group's and how its file names its unit.
Units: TypeAlias = dict[tuple[Path | str, ...], Unit | None]


def validate_for(data: Tree, unit: Unit | None, source: str = "", source_text: str = "",
                 keep_recorded: bool = False, strict: bool = False) -> AnswersBase:
    """Answers as a model, with the unit's defaults under them and its locked answers enforced
    (or, with keep_recorded, those a rendered charter recorded kept: Unit.apply); every problem at
    once as InputError, naming the line when source_text is given. strict for TOML's typed values
    (validate_answers)."""
    lines = key_lines(source_text) if source_text else None
    full = unit.apply(data, lines, source, keep_recorded) if unit else data
    return validate_answers(full, catalogue_of(unit), source, source_text, typed=data if strict else None)


def unit_notices(data: Tree, unit: Unit) -> list[str]:
    """What changed in the unit since the charter was rendered: its version, and each locked answer
    it now sets otherwise (which rendering the charter again will change)."""
    lang = lang_or(data.get("lang"), unit.info.lang)
    notices: list[str] = []
    recorded = data.get("unit_version")
    if recorded is not None and str(recorded) != unit.info.version:
        notices.append(text(lang, "ask.unit_changed", unit=unit.info.name, was=recorded, now=unit.info.version))
    for path, was, now in unit.lock_changes(data)[1]:
        notices.append(text(lang, "register.lock_changed", unit=unit.info.name, field=path, was=was, now=now))
    return notices


def load_group(path: Path, unit_dir: Path | None = None, keep_recorded: bool = False,
               parsed: Tree | None = None, units: Units | None = None) -> tuple[AnswersBase, Unit | None, list[str]]:
    """An answers file with its unit (given, or the one the file names: find_unit) applied.

    Returns the validated answers, the unit, and notices for the user (the unit changed
    since the charter was last rendered). keep_recorded reads a rendered charter as it was
    made, whatever its unit locks now (the register's view). parsed: the file's TOML, already
    parsed (problems then name no line). units: the units found so far in one read of a
    register, by how a file in the same folder names them (found and checked once)."""
    data, source_text = (parsed, "") if parsed is not None else read_toml(path)
    if unit_dir is None and units is not None:
        key: tuple[Path | str, ...] = (path.parent.parent, *(str(data.get(name)) for name in ("unit", "unit_path", "unit_name")))
        if key not in units:
            found = find_unit(path, data)
            units[key] = load_unit(found) if found is not None else None
        unit = units[key]
    else:
        if unit_dir is None:
            unit_dir = find_unit(path, data)
            if unit_dir is not None and not is_unit(unit_dir):  # the file names it: say where
                lang = lang_or(data.get("lang"))
                line = line_of(key_lines(source_text), ("unit",)) if source_text else None
                raise InputError([Problem("unit", text(lang, "errors.not_a_unit", path=str(data["unit"])[:300]), line)],
                                 str(path), lang)
        unit = load_unit(unit_dir) if unit_dir is not None else None
    notices = unit_notices(data, unit) if unit is not None else []
    return validate_for(data, unit, str(path), source_text, keep_recorded, strict=True), unit, notices
