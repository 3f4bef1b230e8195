"""The questionnaire's draft: the answers so far, kept in the user data folder between runs."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import platformdirs
import tomli_w

from ..core.files import write_file
from ..core.tomlfile import load_kept


def draft_path() -> Path:
    return Path(platformdirs.user_data_dir("charter", appauthor=False)) / "draft.toml"


@dataclass(frozen=True)
class Draft:
    answers: dict
    step: int
    saved: datetime


def _without_none(value):
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_none(v) for v in value if v is not None]
    return value


def save_draft(answers: dict, step: int, now: datetime | None = None) -> Path:
    """Write the draft atomically, so a crash mid-save keeps the previous one."""
    path = draft_path()
    saved = (now or datetime.now()).replace(microsecond=0)
    write_file(path, tomli_w.dumps({"step": step, "saved": saved, "answers": _without_none(answers)}).encode("utf-8"))
    return path


def load_draft() -> Draft | None:
    """The saved draft, or None when there is none or it cannot be read."""
    try:
        data = load_kept(draft_path())
        return Draft(dict(data["answers"]), int(data["step"]), data["saved"])
    except (OSError, KeyError, TypeError, ValueError, tomllib.TOMLDecodeError):
        return None


def remove_draft() -> None:
    draft_path().unlink(missing_ok=True)
