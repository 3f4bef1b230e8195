"""The register's folders: one per group, named safely from the group's name.

Folders whose name starts with a dot are charter's own (staging, locks) and never groups.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from ..core.errors import InputError
from ..core.formats import ANSWERS_FILE, FILE_NAMES
from ..core.tomlfile import read_toml

_UNSAFE = re.compile(r"[^\w\-]+", re.UNICODE)
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
                     *(f"lpt{i}" for i in range(1, 10))}
MAX_SUFFIX = 1000
_GROUP_FILES = (ANSWERS_FILE, *FILE_NAMES.values(), "versions")


def folder_name(group_name: str) -> str:
    """A folder name every filesystem accepts: letters (any script), digits, - and _."""
    name = unicodedata.normalize("NFKC", group_name)
    name = _UNSAFE.sub("-", name).strip("-_.")[:60].strip("-_")
    if not name or name.lower() in _WINDOWS_RESERVED:
        name = f"group-{name}" if name else "group"
    return name


def candidates(out_dir: Path, group_name: str):
    """The folder names a group may take, in order: the name, then -2, -3 … A name that differs
    only in case from a folder already there is passed over: on Windows and macOS, where a
    register is often copied, the two would be one folder."""
    base = folder_name(group_name)
    try:
        present = {path.name for path in out_dir.iterdir()}
    except OSError:
        present = set()
    folded = {name.casefold() for name in present}
    for n in range(1, MAX_SUFFIX):
        name = base if n == 1 else f"{base}-{n}"
        if name in present or name.casefold() not in folded:  # (a register made before keeps its folders)
            yield out_dir / name


def is_group_folder(path: Path) -> bool:
    """A folder of the register that is, or was, a group's: it holds a charter.toml, or a charter's
    other files or versions/ (a group whose charter.toml is gone is a problem to show, not a folder
    to skip). Dot-folders are charter's own: staging, a swap's old folder."""
    if path.name.startswith(".") or not path.is_dir():
        return False
    return any((path / name).exists() or (path / name).is_symlink() for name in _GROUP_FILES)


def group_folders(out_dir: Path) -> list[Path]:
    """Every group folder of a register, in name order."""
    if not out_dir.is_dir():
        return []
    return sorted(p for p in out_dir.iterdir() if is_group_folder(p))


def group_name_in(folder: Path) -> str | None:
    """The group name a folder's charter.toml records, or None (none there, or unreadable): read
    as a register file is, so a pipe in its place cannot hang the caller."""
    try:
        data, _ = read_toml(folder / ANSWERS_FILE, regular_only=True)
        return data["group"]["name"]
    except (InputError, KeyError, TypeError):
        return None


def group_folder(out_dir: Path, group_name: str) -> Path:
    """This group's folder: its own if it has one, else a free one (a -2, -3 suffix on a clash)."""
    for candidate in candidates(out_dir, group_name):
        if not candidate.exists() or (candidate.is_dir() and (
                group_name_in(candidate) == group_name or not any(candidate.iterdir()))):
            return candidate
    raise RuntimeError(f"no free folder name for {group_name!r} in {out_dir}")


def register_file(out_dir: Path, folder: Path, name: str) -> Path | None:
    """A file of a group folder that is the register's own: a regular file, no link on the way, and
    inside the register once every link is followed; None otherwise (a download must not become a
    way to read /etc/passwd through a link someone placed in a shared register)."""
    path = folder / name
    try:
        if folder.is_symlink() or path.is_symlink() or not path.is_file():
            return None
        return path if path.resolve().is_relative_to(out_dir.resolve()) else None
    except OSError:
        return None
