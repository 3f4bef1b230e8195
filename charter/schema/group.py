"""One group's answers with its unit: the single way answers become a validated model."""

from __future__ import annotations

from pathlib import Path

from ..core.i18n import lang_or, text
from ..core.tomlfile import key_lines, read_toml
from .answers import AnswersBase
from .unit import Unit, catalogue_of, load_unit
from .validation import validate_answers


def validate_for(data: dict, unit: Unit | None, source: str = "", source_text: str = "") -> AnswersBase:
    """Answers as a model, with the unit's defaults under them and its locked answers enforced;
    every problem at once as InputError, naming the line when source_text is given."""
    lines = key_lines(source_text) if source_text else None
    full = unit.apply(data, lines, source) if unit else data
    return validate_answers(full, catalogue_of(unit), source, source_text)


def load_group(path: Path, unit_dir: Path | None = None) -> tuple[AnswersBase, Unit | None, list[str]]:
    """An answers file with its unit (given, or named in the file relative to it) applied.

    Returns the validated answers, the unit, and notices for the user (the unit changed
    since the charter was last rendered).
    """
    data, source_text = read_toml(path)
    named = data.get("unit")
    if unit_dir is None and isinstance(named, str) and named:
        unit_dir = path.parent / named
    unit = load_unit(unit_dir) if unit_dir is not None else None
    notices = []
    if unit is not None:
        recorded = data.get("unit_version")
        if recorded is not None and str(recorded) != unit.info.version:
            notices.append(text(lang_or(data.get("lang"), unit.info.lang), "ask.unit_changed", unit=unit.info.name,
                                was=recorded, now=unit.info.version))
    return validate_for(data, unit, str(path), source_text), unit, notices
