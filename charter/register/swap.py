"""A group's folder replaced in one step, and the register's lock.

A writer builds the group's whole new folder in a staging folder beside it (the new charter,
and everything it keeps of the old folder as hard links), then swaps it in:

- on Linux, renameat2(RENAME_EXCHANGE) swaps the two folders in one step; the old one, now
  under the staging name, is removed afterwards;
- elsewhere, two renames (the group's folder aside as .charter-old-*, the staging folder in
  its place) after a journal (.charter-swap-*) that names the group's folder, so that a crash
  between the two is finished on the next run.

Writers hold the register's lock (flock on the register's folder) from the moment they look
at what is on disk until their swap is done, and clean what a killed writer left first. Readers
take the lock shared, so they never see a swap half done. Every name charter uses for its own
files starts with a dot, and dot-folders are never groups (folders.is_group_folder).
"""

from __future__ import annotations

import os
import secrets
import shutil
from contextlib import contextmanager
from pathlib import Path

from ..core.files import create_file, exchange, sync_folder

try:
    import fcntl
except ImportError:  # Windows: no lock; concurrent writers are then the user's own affair
    fcntl = None

STAGING_PREFIX = ".charter-staging-"
OLD_PREFIX = ".charter-old-"
JOURNAL_PREFIX = ".charter-swap-"
_LEFTOVERS = (STAGING_PREFIX, OLD_PREFIX)


def discard(path: Path) -> None:
    """Remove a file, a link or a folder of charter's own, whatever is left of it."""
    if path.is_symlink() or path.is_file():
        path.unlink(missing_ok=True)
    elif path.exists():
        shutil.rmtree(path, ignore_errors=True)


def leftovers(out_dir: Path) -> bool:
    """Whether a killed writer left something to finish or clean (a cheap look, no lock)."""
    try:
        return any(entry.name.startswith((*_LEFTOVERS, JOURNAL_PREFIX)) for entry in os.scandir(out_dir))
    except OSError:
        return False


def recover(out_dir: Path) -> None:
    """Finish or undo what a killed writer left (only ever called under the exclusive lock, so no
    live writer owns any of it): a swap whose journal is there is completed, everything else of
    charter's own is removed. The group's folder ends holding one whole charter, old or new."""
    for journal in sorted(out_dir.glob(JOURNAL_PREFIX + "*")):
        token = journal.name.removeprefix(JOURNAL_PREFIX)
        try:
            name = journal.read_text("utf-8").strip()
        except (OSError, UnicodeDecodeError):
            name = ""
        target = out_dir / name
        if name and "/" not in name and not name.startswith(".") and not target.exists():
            for whole in (out_dir / f"{STAGING_PREFIX}{token}", out_dir / f"{OLD_PREFIX}{token}"):
                if whole.is_dir():  # the staging folder was complete before its journal was written
                    os.rename(whole, target)
                    break
        sync_folder(out_dir)
        journal.unlink(missing_ok=True)
    for entry in out_dir.iterdir():
        if entry.name.startswith(_LEFTOVERS):
            discard(entry)


@contextmanager
def register_lock(out_dir: Path, shared: bool = False):
    """The register's lock, an flock on its folder itself (no lock file to clutter it, and one a
    reader may take without write access): exclusive for a writer, which first cleans what a
    killed one left; shared for a reader."""
    if fcntl is None:
        if not shared:
            recover(out_dir)
        yield
        return
    try:
        fd = os.open(out_dir, os.O_RDONLY)
    except OSError:
        if not shared:
            raise
        yield  # no folder yet: nothing a writer could be changing
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        if not shared:
            recover(out_dir)
        yield
    finally:
        os.close(fd)  # releases the lock


def new_staging(out_dir: Path) -> Path:
    """An empty staging folder (mode 0777 less the umask, as the group's folder will have)."""
    staging = out_dir / f"{STAGING_PREFIX}{os.getpid()}-{secrets.token_hex(6)}"
    staging.mkdir()
    return staging


def swap_in(staging: Path, target: Path) -> None:
    """staging becomes target in one step; what target held is removed. Under the lock."""
    out_dir = staging.parent
    token = staging.name.removeprefix(STAGING_PREFIX)
    if not target.exists() and not target.is_symlink():
        os.rename(staging, target)
    elif exchange(staging, target):
        sync_folder(out_dir)
        discard(staging)  # the old folder, under the staging folder's name
    else:
        journal, draft = out_dir / f"{JOURNAL_PREFIX}{token}", out_dir / f"{STAGING_PREFIX}{token}.journal"
        create_file(draft, target.name.encode("utf-8"))  # a draft is a leftover like any staging name
        os.replace(draft, journal)
        sync_folder(out_dir)
        old = out_dir / f"{OLD_PREFIX}{token}"
        os.rename(target, old)
        os.rename(staging, target)
        sync_folder(out_dir)
        journal.unlink()
        discard(old)
    sync_folder(out_dir)
