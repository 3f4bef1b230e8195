"""What `charter due --notify` has sent today, so that a cron job run again (after a crash, or
twice by mistake) sends nothing twice.

    <register>/.charter-sent.json   {"day": "2026-12-30", "sent": {"<robot>": ["<event>", …]}}

A robot is a hash of its webhook URL (the URL is a credential, and another robot has not been
told); an event is a group's folder, its status and its date, so a group renewed or newly
overdue is told again. Each message part is recorded once the platform took it, before the
next is sent. Only today's record is kept; the file is readable by its owner only.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..core.errors import input_error
from ..core.files import NotRegular, TooLarge, read_limited, write_file
from ..core.i18n import environment_lang
from .entries import Entry, Unreadable

SENT_FILE = ".charter-sent.json"
MAX_BYTES = 4 * 1024 * 1024  # some ten thousand groups' events


@dataclass
class SentToday:
    path: Path
    day: str
    robot: str
    table: dict[str, list[str]] = field(default_factory=dict)  # every robot's events of the day

    @property
    def events(self) -> set[str]:
        return set(self.table.get(self.robot, ()))


def due_event(entry: Entry, on: date, within: int | None) -> str:
    return f"{entry.folder.name}|{entry.status(on, within)}|{entry.answers.due_date().isoformat()}"


def unreadable_event(item: Unreadable) -> str:
    return f"{item.folder.name}|unreadable"


def sent_today(register: Path, on: date, url: str) -> SentToday:
    """What was sent to the robot at url today, as the register's record says."""
    path = register / SENT_FILE
    record = SentToday(path, on.isoformat(), hashlib.sha256(url.encode("utf-8")).hexdigest()[:16])
    try:
        data = json.loads(read_limited(path, MAX_BYTES, regular_only=True))
    except FileNotFoundError:
        return record
    except (OSError, TooLarge, ValueError, RecursionError) as error:  # NotRegular is an OSError
        detail = "not a regular file" if isinstance(error, NotRegular) else str(error)[:200]
        raise input_error(environment_lang(), "unreadable", source=str(path), detail=detail) from None
    sent = data.get("sent") if isinstance(data, dict) and data.get("day") == record.day else None
    if isinstance(sent, dict):  # a day old, or not this shape: nothing sent today
        record.table = {robot: [e for e in events if isinstance(e, str)] for robot, events in sent.items()
                        if isinstance(events, list)}
    return record


def record_sent(record: SentToday, events: list[str]) -> None:
    """Add events to the robot's record of the day, on disk in one step before anything else is sent."""
    known = record.table.setdefault(record.robot, [])
    known += [event for event in events if event not in known]
    content = json.dumps({"day": record.day, "sent": record.table}, indent=1).encode("utf-8")
    try:
        write_file(record.path, content, mode=0o600)
    except OSError as error:  # unrecorded, what goes out next would go out again on the next run
        raise input_error(environment_lang(), "cannot_write", path=str(record.path),
                          detail=error.strerror or str(error)) from None
