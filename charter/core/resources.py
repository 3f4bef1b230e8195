"""Where charter's own files are: the templates, the bundled examples and the data files.

In a source checkout `templates/` and `examples/` sit beside the package; in an installed
wheel they are inside it (pyproject.toml force-includes them). This is the one place that
knows both layouts.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

_PACKAGE = Path(str(resources.files("charter")))


@cache
def _shipped(name: str) -> Path:
    inside = _PACKAGE / name
    return inside if inside.is_dir() else _PACKAGE.parent / name


def templates_dir() -> Path:
    """The built-in templates (charter.html.j2, the notices, web/)."""
    return _shipped("templates")


def examples_dir() -> Path:
    return _shipped("examples")


def data_file(*parts: str) -> Path:
    """A file under charter/data (the catalogue, the messages, the unit skeleton)."""
    return _PACKAGE.joinpath("data", *parts)


def example_files() -> list[Path]:
    """The example groups, then the example groups of the example units."""
    return sorted(examples_dir().glob("*.toml")) + sorted((examples_dir() / "units").glob("*.toml"))
