"""Writing a charter's files: a safe folder per group, all files or none, nothing overwritten."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
import tomllib
import unicodedata
from pathlib import Path

from .errors import input_error

ANSWERS_FILE = "charter.toml"
FILE_NAMES = {
    "pdf": "charter.pdf",
    "html": "charter.html",
    "md": "charter.md",
    "txt": "announcement.txt",
    "ics": "charter.ics",
}
FORMATS = tuple(FILE_NAMES)

_UNSAFE = re.compile(r"[^\w\-]+", re.UNICODE)
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
                     *(f"lpt{i}" for i in range(1, 10))}


def folder_name(group_name: str) -> str:
    """A folder name every filesystem accepts: letters (any script), digits, - and _."""
    name = unicodedata.normalize("NFKC", group_name)
    name = _UNSAFE.sub("-", name).strip("-_.")[:60].strip("-_")
    if not name or name.lower() in _WINDOWS_RESERVED:
        name = f"group-{name}" if name else "group"
    return name


def _group_of(folder: Path) -> str | None:
    try:
        return tomllib.loads((folder / ANSWERS_FILE).read_text("utf-8"))["group"]["name"]
    except (OSError, KeyError, TypeError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return None


def group_folder(out_dir: Path, group_name: str) -> Path:
    """This group's folder: its own if it has one, else a free one (a -2, -3 suffix on a clash)."""
    base = folder_name(group_name)
    for n in range(1, 1000):
        candidate = out_dir / (base if n == 1 else f"{base}-{n}")
        if not candidate.is_dir() or _group_of(candidate) == group_name or not any(candidate.iterdir()):
            return candidate
    raise RuntimeError(f"no free folder name for {group_name!r} in {out_dir}")


STAGING_PREFIX = ".charter-staging-"
_STALE_SECONDS = 3600


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
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=out_dir))
        staging.chmod(0o755)  # mkdtemp's folders are private; a group folder is not
        for name, content in files.items():
            with open(staging / name, "wb") as handle:
                handle.write(content)
                handle.flush()
                os.fsync(handle.fileno())
    except OSError as error:
        raise input_error(lang, "cannot_write", path=str(out_dir), detail=error.strerror or str(error)) from None
    return staging


def write_files(folder: Path, files: dict[str, bytes], force: bool, lang: str) -> list[Path]:
    """Write every file or none of them.

    The files are written in a staging folder beside the group folder, then renamed into
    place (the whole folder at once for a new group), so a render that fails or is killed
    leaves the group folder as it was: no partial file, the previous charter intact.
    """
    if not force and (folder / ANSWERS_FILE).exists():
        raise input_error(lang, "exists", path=str(folder))
    staging = _stage(folder.parent, files, lang)
    try:
        if not folder.exists():
            try:
                staging.rename(folder)
            except OSError as error:
                raise input_error(lang, "cannot_write", path=str(folder), detail=error.strerror or str(error)) from None
            return [folder / name for name in files]
        written = []
        for name in files:
            os.replace(staging / name, folder / name)
            written.append(folder / name)
        return written
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def write_new_folder(out_dir: Path, group_name: str, files: dict[str, bytes], lang: str) -> Path:
    """The files in a folder of their own that did not exist before: two people writing the same
    group at the same moment get two folders (the rename that claims a name fails for the second)."""
    base = folder_name(group_name)
    staging = _stage(out_dir, files, lang)
    try:
        for n in range(1, 1000):
            candidate = out_dir / (base if n == 1 else f"{base}-{n}")
            if candidate.exists():
                continue
            try:
                staging.rename(candidate)
                return candidate
            except OSError:  # another writer claimed it between the check and the rename
                continue
        raise RuntimeError(f"no free folder name for {group_name!r} in {out_dir}")
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def write_file(path: Path, content: bytes) -> None:
    """One file written whole or not at all: a temporary name beside it, then a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".charter-", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


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
