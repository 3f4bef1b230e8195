"""Writing a group's charter into the register: all files or none, nothing overwritten unasked."""

from __future__ import annotations

import enum
import os
import shutil
import time
from pathlib import Path

from ..core.errors import input_error
from ..core.files import create_file, sync_folder
from ..render.documents import ANSWERS_FILE, FILE_NAMES, FORMATS, render_documents
from ..schema.answers import AnswersBase
from ..schema.unit import Unit
from .folders import candidates, group_folder

STAGING_PREFIX = ".charter-staging-"
_STALE_SECONDS = 3600


class Placement(enum.Enum):
    NEW = "new"  # the group's folder must not hold a charter yet
    REPLACE = "replace"  # replace the charter in the group's folder (render --force)
    VERSION = "version"  # keep the charter there in versions/N/, then write the new one
    FRESH = "fresh"  # always a folder no one else has (a web form submission)


def _remove_stale_staging(out_dir: Path) -> None:
    """Staging folders left by a render that was killed; an hour is far longer than any render."""
    for stale in out_dir.glob(STAGING_PREFIX + "*"):
        try:
            if time.time() - stale.stat().st_mtime > _STALE_SECONDS:
                shutil.rmtree(stale, ignore_errors=True)
        except OSError:
            continue


def _stage(out_dir: Path, files: dict[str, bytes], lang: str) -> Path:
    """The files written and flushed in a fresh staging folder under out_dir, ready to rename."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        _remove_stale_staging(out_dir)
        staging = out_dir / f"{STAGING_PREFIX}{os.getpid()}-{time.monotonic_ns()}"
        staging.mkdir()
        for name, content in files.items():
            create_file(staging / name, content)
    except OSError as error:
        raise input_error(lang, "cannot_write", path=str(out_dir), detail=error.strerror or str(error)) from None
    return staging


def archive_previous(folder: Path) -> Path:
    """Move a group's current files into versions/N/, so a new version never overwrites them."""
    versions = folder / "versions"
    number = 1 + max((int(p.name) for p in versions.glob("*") if p.name.isdigit()), default=0)
    target = versions / str(number)
    target.mkdir(parents=True)
    for name in (ANSWERS_FILE, *FILE_NAMES.values()):
        if (folder / name).exists():
            os.replace(folder / name, target / name)
    return target


def _claim_fresh(out_dir: Path, group_name: str, staging: Path) -> Path:
    """Rename staging to the first free folder name; two writers of one name get two folders
    (the rename that claims a name fails for the second)."""
    for candidate in candidates(out_dir, group_name):
        if candidate.exists():
            continue
        try:
            staging.rename(candidate)
            return candidate
        except OSError:  # another writer claimed it between the check and the rename
            continue
    raise RuntimeError(f"no free folder name for {group_name!r} in {out_dir}")


def place_files(folder: Path | None, out_dir: Path, group_name: str, files: dict[str, bytes], how: Placement,
                lang: str) -> Path:
    """The files in the group's folder as `how` says; returns the folder.

    They are written in a staging folder beside it first, so a render that fails or is
    killed leaves the group folder as it was: no partial file, the previous charter intact.
    """
    if how is Placement.NEW and (folder / ANSWERS_FILE).exists():
        raise input_error(lang, "exists", path=str(folder))
    staging = _stage(out_dir, files, lang)
    try:
        if how is Placement.FRESH:
            folder = _claim_fresh(out_dir, group_name, staging)
        elif not folder.exists():
            try:
                staging.rename(folder)
            except OSError as error:
                raise input_error(lang, "cannot_write", path=str(folder), detail=error.strerror or str(error)) \
                    from None
        else:
            if how is Placement.VERSION and (folder / ANSWERS_FILE).exists():
                archive_previous(folder)
            for name in files:
                os.replace(staging / name, folder / name)
        sync_folder(out_dir)
        return folder
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def write_charter(answers: AnswersBase, unit: Unit | None, out_dir: Path, how: Placement = Placement.NEW,
                  folder: Path | None = None, formats=FORMATS, paper: str = "A4") -> list[Path]:
    """Render the charter and place it in the register; returns the files written.

    The folder is the group's own under out_dir unless given (a register entry's); FRESH
    always picks a new one. With a unit, the answers written record it (its folder relative
    to the group folder, and its version), so a later render uses the same unit or says that
    it changed.
    """
    if how is Placement.FRESH and folder is not None:
        raise ValueError("a fresh folder is chosen by the register, not given")
    target = folder or group_folder(out_dir, answers.group.name)
    if how is Placement.NEW and (target / ANSWERS_FILE).exists():
        raise input_error(answers.lang, "exists", path=str(target))
    if unit is not None:
        answers = answers.model_copy(update={"unit": Path(os.path.relpath(unit.root, target.resolve())).as_posix(),
                                             "unit_name": unit.info.name, "unit_version": unit.info.version})
    files = render_documents(answers, formats, paper, unit)
    placed = place_files(target if how is not Placement.FRESH else None, out_dir, answers.group.name, files, how,
                         answers.lang)
    return [placed / name for name in files]
