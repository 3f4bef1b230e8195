"""`charter unit init`: a new unit folder from the commented skeleton."""

from __future__ import annotations

from pathlib import Path

from ..core.errors import input_error
from ..core.files import create_file
from ..core.resources import data_file
from ..schema.unit import UNIT_FILE

SKELETON_FILES = (UNIT_FILE, "templates/charter.html.j2")


def init_unit(folder: Path, lang: str) -> list[Path]:
    """A new unit folder from the skeleton in `lang`; an existing unit.toml is never replaced."""
    if (folder / UNIT_FILE).exists():
        raise input_error(lang, "unit_exists", path=str(folder / UNIT_FILE))
    written = []
    for relative in SKELETON_FILES:
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            create_file(target, data_file("unit-skeleton", lang, *relative.split("/")).read_bytes())
        except FileExistsError:
            raise input_error(lang, "unit_exists", path=str(target)) from None
        written.append(target)
    (folder / "assets").mkdir(exist_ok=True)
    return written
