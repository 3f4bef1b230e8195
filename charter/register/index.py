"""What the register's charter.toml files said when last read, so reading thousands of groups does
not parse thousands of TOML files again (most of the time `list` takes).

The index never decides which groups there are: the folders on disk do, every time. For each
charter.toml it keeps the parsed answers beside what the system says of the file (inode,
device, size, mtime and ctime in nanoseconds): any write changes the ctime, which no user can
set, so a file that changed is read again. A file changed less than a few seconds before it
was indexed is not kept (a filesystem that counts time coarsely could change it again within
the same tick). The parsed answers are validated as if read from the file.

It lives in the user's cache folder, one file per register (never in the register, which
others may share or send), as JSON (never pickle): dates are tagged, and a table whose key
collides with the tag is escaped.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from datetime import date, datetime
from datetime import time as clock_time
from pathlib import Path

import platformdirs

from .. import __version__
from ..core.files import write_file

_TAG = "\x00"
_TYPES = {"date": date, "datetime": datetime, "time": clock_time}
_SETTLE_SECONDS = 3
_KEPT_REGISTERS = 64


def _encode(value):
    if isinstance(value, dict):
        table = {key: _encode(item) for key, item in value.items()}
        return {_TAG: "table", "v": table} if _TAG in value else table
    if isinstance(value, list):
        return [_encode(item) for item in value]
    for name, kind in reversed(_TYPES.items()):  # datetime before date: it is one
        if isinstance(value, kind):
            return {_TAG: name, "v": value.isoformat()}
    return value


def _decode(table: dict):
    kind = table.get(_TAG)
    if kind is None:
        return table
    return table["v"] if kind == "table" else _TYPES[kind].fromisoformat(table["v"])


def signature(path: Path) -> list[int] | None:
    try:
        found = os.stat(path)
    except (OSError, ValueError):
        return None
    return [found.st_ino, found.st_dev, found.st_size, found.st_mtime_ns, found.st_ctime_ns]


class RegisterIndex:
    def __init__(self, out_dir: Path):
        key = hashlib.sha256(str(out_dir.resolve()).encode("utf-8", "surrogateescape")).hexdigest()[:24]
        self.folder = Path(platformdirs.user_cache_dir("charter", appauthor=False)) / "registers"
        self.file = self.folder / f"{key}.json"
        self.kept: dict[str, dict] = {}
        self.seen: dict[str, dict] = {}
        try:
            stored = json.loads(self.file.read_text("utf-8"), object_hook=_decode)
            if stored.get("charter") == __version__ and isinstance(stored.get("files"), dict):
                self.kept = stored["files"]
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            pass  # no index yet, or one this version did not write: read every file

    def parsed(self, path: Path) -> dict | None:
        """The answers the file held when indexed, if it has not changed since; else None."""
        entry = self.kept.get(str(path))
        now = signature(path)
        if entry is None or now is None or entry.get("signature") != now:
            return None
        self.seen[str(path)] = entry
        return entry["data"]

    def remember(self, path: Path, data: dict, before: list[int] | None) -> None:
        """The answers just parsed from path, which was `before` when its reading began (and must
        still be, settled for a few seconds, to be kept)."""
        try:
            str(path).encode("utf-8")
        except UnicodeEncodeError:
            return  # a path the JSON index cannot hold as text is simply read every time
        if before is not None and before == signature(path) and \
                time.time_ns() - max(before[3:]) > _SETTLE_SECONDS * 1_000_000_000:
            self.seen[str(path)] = {"signature": before, "data": data}

    def save(self) -> None:
        """The index as this read found it (files gone are dropped); nothing when nothing changed."""
        if self.seen == self.kept:
            return
        try:
            write_file(self.file, json.dumps({"charter": __version__, "files": {
                path: {"signature": entry["signature"], "data": _encode(entry["data"])}
                for path, entry in self.seen.items()}}, ensure_ascii=False).encode("utf-8"))
            others = sorted(self.folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
            for stale in others[_KEPT_REGISTERS:]:
                stale.unlink(missing_ok=True)
        except OSError:
            pass  # a cache nobody may write: the next read parses again
