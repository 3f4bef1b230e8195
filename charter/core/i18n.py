"""The tool's own words in each language (layout labels, choice names, error messages).

They live in data/messages/*.toml, one file per part of the tool, each holding a [zh] and
an [en] table; the files are merged into one tree per language.
"""

from __future__ import annotations

import os
import tomllib
from contextvars import ContextVar
from functools import cache
from typing import Any

from .dotted import Tree, merged
from .resources import data_file

LANGS = ("zh", "en")
BABEL_LOCALES = {"zh": "zh_CN", "en": "en_GB"}


@cache
def _all_messages() -> Tree:
    tree: Tree = {}
    for path in sorted(data_file("messages").glob("*.toml")):
        tree = merged(tree, tomllib.loads(path.read_text("utf-8")))
    return tree


def messages(lang: str) -> Tree:
    words: Tree = _all_messages()[lang if lang in LANGS else "zh"]
    return words


def text(lang: str, key: str, **values: Any) -> str:
    """One message by its dotted key, with its {placeholders} filled in."""
    node: Any = messages(lang)
    for part in key.split("."):
        node = node[part]
    message: str = node.format(**values) if values else node
    return message


def lang_or(value: object, fallback: str = "zh") -> str:
    """value when it is a language charter speaks, else the fallback."""
    return value if isinstance(value, str) and value in LANGS else fallback


# The language of the web page being answered, where a request is the user (charter serve).
SPEAKING: ContextVar[str | None] = ContextVar("charter_speaking", default=None)


def environment_lang() -> str:
    """The user's language: the page's, in a web request; else CHARTER_LANG (or `charter
    --lang`), else the locale; zh when unsure. Used for messages given before a file says its
    own language."""
    speaking = SPEAKING.get()
    if speaking is not None:
        return speaking
    chosen = os.environ.get("CHARTER_LANG", "").strip().lower()
    if chosen in LANGS:
        return chosen
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(variable, "")
        if value:
            return "en" if value.lower().startswith("en") else "zh"
    return "zh"
