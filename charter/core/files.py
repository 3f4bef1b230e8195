"""Files written whole or not at all, readable as the user's umask says (0644 under 022), and
folders swapped in one step."""

from __future__ import annotations

import ctypes
import errno
import os
import secrets
import shutil
import stat
import sys
from collections.abc import Callable
from pathlib import Path

from .errors import input_error

TEMPORARY_PREFIX = ".charter-tmp-"
NAME_MAX = 255  # bytes in one file or folder name: Linux, macOS and Windows file systems alike


def create_file(path: Path, content: bytes, mode: int = 0o666) -> None:
    """A new file with its content on disk (fsynced); mode 0666 less the umask, unlike mkstemp's 0600,
    so colleagues on a shared folder can read what charter writes (0600 for credentials). A write
    that fails (a full disk) leaves no file behind, not even an empty one."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), mode)
    try:
        try:
            view = memoryview(content)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def sync_folder(folder: Path) -> None:
    """Make a rename inside folder durable (a no-op where folders cannot be opened, as on Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_file(path: Path, content: bytes, mode: int = 0o666) -> None:
    """One file replaced atomically: written beside it under a temporary name, then renamed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{TEMPORARY_PREFIX}{secrets.token_hex(6)}-{path.name}")
    create_file(temporary, content, mode)
    try:
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    sync_folder(path.parent)


def write_named_file(named: str, content: bytes, field: str, lang: str) -> None:
    """A file the user named (`-o FILE`) written as write_file does, but only where a file belongs:
    a device, FIFO, socket, link or folder at that name is refused and left as it is (replacing
    /dev/full would turn the device into a file), and a missing folder is named, not made. The name
    is read as typed: Path() would drop a final "/" or "/." and write a file of the folder's name."""
    if named.endswith(("/", os.sep)) or os.path.basename(named) in (".", ".."):
        raise input_error(lang, "output_not_file", field=field, path=named)
    path = Path(named)
    try:
        found = os.lstat(path)
    except FileNotFoundError:
        found = None
    except OSError as error:  # a name too long, a file where a folder should be
        raise input_error(lang, "cannot_write", field=field, path=str(path), detail=error.strerror or str(error)) from None
    if found is not None and not stat.S_ISREG(found.st_mode):
        raise input_error(lang, "output_not_file", field=field, path=str(path))
    if not path.parent.is_dir():
        raise input_error(lang, "output_no_folder", field=field, folder=str(path.parent))
    try:
        write_file(path, content)
    except OSError as error:  # a folder nobody may write to, a full disk: nothing is left behind
        raise input_error(lang, "cannot_write", field=field, path=str(path), detail=error.strerror or str(error)) from None


def overlong_name(path: Path) -> str | None:
    """The first name in path longer than a file system takes (the system would say only "File name
    too long", and only once something is written)."""
    return next((part for part in path.parts if len(os.fsencode(part)) > NAME_MAX), None)


def _renameat2() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)  # glibc 2.28+, musl 1.2.2+
    except OSError:
        return None


_RENAMEAT2 = _renameat2()
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_UNSUPPORTED = {errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV}


def exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one step (Linux's renameat2 RENAME_EXCHANGE): anyone looking sees one or
    the other, never neither. False where the system or the filesystem cannot; nothing moved then."""
    if _RENAMEAT2 is None:
        return False
    if _RENAMEAT2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in _UNSUPPORTED:
        return False
    raise OSError(code, os.strerror(code), str(first), None, str(second))


def link_tree(source: Path, target: Path, skip: frozenset[str] = frozenset()) -> None:
    """target/ made to hold what source/ holds (but the names in skip, at its top), each file as a
    hard link (no copy, the same bytes), a copy where links cannot be made; links stay links."""
    target.mkdir(exist_ok=True)
    shutil.copymode(source, target)
    for entry in os.scandir(source):
        if entry.name in skip:
            continue
        inner = target / entry.name
        if entry.is_symlink():
            os.symlink(os.readlink(entry.path), inner)
        elif entry.is_dir():
            link_tree(Path(entry.path), inner)
        else:
            link_file(Path(entry.path), inner)


def link_file(source: Path, target: Path) -> None:
    """target as a hard link to source (the same bytes, nothing copied), or a copy where links
    cannot be made (FAT, some network shares)."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


class TooLarge(Exception):
    """A file past the size charter reads."""


class NotRegular(OSError):
    """A pipe, socket or device where charter expects a file of its own."""


def read_limited(path: Path, limit: int, regular_only: bool = False) -> bytes:
    """A file's bytes, refused past `limit`: read, not measured first, so that /dev/zero, a pipe
    or a file still growing cannot get past a size that stat() reports as 0. With regular_only
    (a file charter found, not one the user named) a pipe or device is refused before it is
    read: a FIFO planted as a group's charter.toml would otherwise hang every reader."""
    if regular_only:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # opening a FIFO must not wait
        with open(fd, "rb") as stream:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise NotRegular(path)
            data = stream.read(limit + 1)
    else:
        with open(path, "rb") as stream:
            data = stream.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(limit)
    return data
