"""The tool's own words in each language (layout labels, choice names, error messages)."""

from __future__ import annotations

import os
import tomllib
from functools import cache
from importlib import resources

LANGS = ("zh", "en")
BABEL_LOCALES = {"zh": "zh_CN", "en": "en_GB"}


@cache
def _all_messages() -> dict:
    return tomllib.loads(resources.files("charter.data").joinpath("messages.toml").read_text("utf-8"))


def messages(lang: str) -> dict:
    return _all_messages()[lang if lang in LANGS else "zh"]


def text(lang: str, key: str, **values) -> str:
    """One message by its dotted key, with its {placeholders} filled in."""
    node = messages(lang)
    for part in key.split("."):
        node = node[part]
    return node.format(**values) if values else node


def environment_lang() -> str:
    """The user's language from the locale, for messages given before a file says its own; zh when unsure."""
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(variable, "")
        if value:
            return "en" if value.lower().startswith("en") else "zh"
    return "zh"
