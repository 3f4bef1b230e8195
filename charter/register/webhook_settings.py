"""A register's own settings: the group robot's webhook, kept beside the groups but never in them.

The webhook URL and its signing secret are credentials. They may come from the environment
(CHARTER_WEBHOOK, CHARTER_WEBHOOK_SECRET, CHARTER_WEBHOOK_PLATFORM) or from
`<register>/.charter-settings.toml`, which `charter webhook save` writes readable by its
owner only (mode 600). They are never written into a charter.toml.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

import tomli_w

from ..core.errors import input_error
from ..core.files import write_file
from ..core.i18n import environment_lang
from ..core.tomlfile import load_kept

SETTINGS_FILE = ".charter-settings.toml"


@dataclass(frozen=True)
class Webhook:
    url: str
    secret: str | None = None
    platform: str | None = None


def save_webhook(register: Path, hook: Webhook) -> Path:
    """Write the register's webhook, readable by its owner only, replacing any saved before."""
    path = register / SETTINGS_FILE
    write_file(path, tomli_w.dumps({"webhook": {k: v for k, v in hook.__dict__.items() if v}}).encode("utf-8"),
               mode=0o600)
    return path


def saved_webhook(register: Path) -> Webhook | None:
    """The webhook from the environment, else the register's settings file; None when neither has one."""
    url = os.environ.get("CHARTER_WEBHOOK", "").strip()
    if url:
        return Webhook(url, os.environ.get("CHARTER_WEBHOOK_SECRET") or None,
                       os.environ.get("CHARTER_WEBHOOK_PLATFORM") or None)
    path = register / SETTINGS_FILE
    if not path.is_file():
        return None
    if hasattr(os, "getuid") and path.stat().st_uid != os.getuid():
        # in a shared register, someone else's settings would send your notices to their robot
        raise input_error(environment_lang(), "settings_owner", source=str(path))
    try:
        table = load_kept(path).get("webhook", {})
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise input_error(environment_lang(), "unreadable", source=str(path), detail=str(error)) from None
    if not isinstance(table, dict) or not isinstance(table.get("url"), str):
        return None
    return Webhook(table["url"], table.get("secret") or None, table.get("platform") or None)
