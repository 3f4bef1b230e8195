"""The bundled example answers files, found in the installed package or the source tree."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def examples_dir() -> Path:
    packaged = Path(str(resources.files("charter"))) / "examples"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parent.parent / "examples"


def example_files() -> list[Path]:
    """The example groups, then the example groups of the example units."""
    return sorted(examples_dir().glob("*.toml")) + sorted((examples_dir() / "units").glob("*.toml"))
