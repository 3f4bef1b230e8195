"""Placing a group's files in the register: the whole folder in one step, nothing overwritten
unasked, no history event lost.

Under the register's lock, place_files checks that the charter on disk is still the one the
files were made from, builds the group's whole new folder in staging (the new files, and as hard
links what it keeps of the old folder: versions/, the user's own files, the old charter under
versions/N for a new version) and swaps it in (register/swap.py). It says so when someone else
wrote in between, and the caller (pipeline.py) makes the files again from what is there now.
"""

from __future__ import annotations

import enum
import tomllib
from pathlib import Path

from pydantic import ValidationError

from ..core.errors import input_error
from ..core.files import NotRegular, TooLarge, create_file, link_file, link_tree, read_limited, sync_folder
from ..core.formats import ANSWERS_FILE, FILE_NAMES
from ..core.tomlfile import MAX_FILE_BYTES, loads
from ..schema.answers import AnswersBase, Event
from .folders import candidates
from .swap import discard, new_staging, register_lock, swap_in

CHARTER_FILES = frozenset({ANSWERS_FILE, *FILE_NAMES.values()})


class Placement(enum.Enum):
    NEW = "new"  # the group's folder must not hold a charter yet
    REPLACE = "replace"  # replace the charter (render --force): a different one there goes to versions/N/
    VERSION = "version"  # keep the charter there in versions/N/, then write the new one
    RECORD = "record"  # the answers file alone changes (a dissolution): the charter's files stay as they are
    FRESH = "fresh"  # always a folder no one else has (a web form submission)


def on_disk(folder: Path | None) -> bytes | None:
    """The group's charter.toml as it is now, or None."""
    if folder is None:
        return None
    try:
        return read_limited(folder / ANSWERS_FILE, MAX_FILE_BYTES, regular_only=True)
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError, NotRegular, TooLarge):
        return None  # (a pipe or device in its place holds no charter)


def keeping_history(answers: AnswersBase, before: bytes | None) -> AnswersBase:
    """The answers with every event of the charter they replace that they lack: a renewal recorded
    meanwhile, or the history an older answers file never had. Nothing is ever deleted."""
    try:
        events = loads((before or b"").decode("utf-8-sig")).get("history")
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        return answers
    kept = []
    for raw in events if isinstance(events, list) else []:
        try:
            kept.append(Event.model_validate(raw))
        except ValidationError:
            continue
    if all(event in answers.history for event in kept):
        return answers
    return answers.model_copy(update={"history": [*kept, *(e for e in answers.history if e not in kept)]})


def _next_version(folder: Path) -> Path:
    versions = folder / "versions"
    numbers = [int(p.name) for p in versions.glob("*") if p.name.isdigit()] if versions.is_dir() else []
    return versions / str(1 + max(numbers, default=0))


def _fill(staging: Path, folder: Path | None, files: dict[str, bytes], how: Placement, before: bytes | None) -> None:
    """The group's whole new folder in staging: the new files, and what it keeps of the old one.
    A charter replaced by a different one is kept whole in versions/N/ and none of its files stays
    beside the new one (a PDF of the old answers next to the new charter.toml would mislead); the
    same answers rendered again only add or refresh the formats asked for. "Different" is seen in
    the printed files too: the same answers give the same bytes, so a PDF that differs was made
    from other answers — the charter.toml edited in place, as its own header suggests."""
    for name, content in files.items():
        create_file(staging / name, content)
    if folder is None or not folder.is_dir():
        return
    # answers edited in place are the new ones, not those the kept files were printed from
    edited_in_place = how is Placement.REPLACE and before == files.get(ANSWERS_FILE)
    archive = before is not None and (how is Placement.VERSION or (how is Placement.REPLACE and (
        not edited_in_place or _printed_otherwise(folder, files))))
    link_tree(folder, staging, skip=frozenset(files) | (CHARTER_FILES if archive else frozenset()))
    if archive:
        version = staging / _next_version(folder).relative_to(folder)
        version.mkdir(parents=True)
        for name in sorted(CHARTER_FILES - ({ANSWERS_FILE} if edited_in_place else set())):
            if (folder / name).is_file():
                link_file(folder / name, version / name)
    for sub in [staging, *(p for p in staging.rglob("*") if p.is_dir() and not p.is_symlink())]:
        sync_folder(sub)  # every name in the new folder on disk before the swap makes it the group's


def _printed_otherwise(folder: Path, files: dict[str, bytes]) -> bool:
    for name, content in files.items():
        path = folder / name
        if name != ANSWERS_FILE and path.is_file() and not path.is_symlink() and path.read_bytes() != content:
            return True
    return False


def _free_folder(out_dir: Path, group_name: str) -> Path:
    """The first folder name no one has (under the lock, so no one takes it meanwhile)."""
    for candidate in candidates(out_dir, group_name):
        if not candidate.exists() and not candidate.is_symlink():
            return candidate
    raise RuntimeError(f"no free folder name for {group_name!r} in {out_dir}")


def place_files(folder: Path | None, out_dir: Path, group_name: str, files: dict[str, bytes], how: Placement,
                lang: str, before: bytes | None) -> Path | None:
    """The files in the group's folder as `how` says, in one step; returns the folder, or None when
    the charter there is no longer `before` (someone else wrote it meanwhile)."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        with register_lock(out_dir):
            if how is Placement.FRESH:
                folder = _free_folder(out_dir, group_name)
            elif on_disk(folder) != before:
                return None
            staging = new_staging(out_dir)
            try:
                _fill(staging, folder, files, how, before)
                swap_in(staging, folder)
            except BaseException:
                discard(staging)
                raise
            return folder
    except OSError as error:  # a full disk, a folder nobody may write to: the old charter is as it was
        raise input_error(lang, "cannot_write", path=str(folder or out_dir),
                          detail=error.strerror or str(error)) from None
