"""The command line in the user's language: charter's help and click's own words in Chinese.

The English is in the code beside each command; the Chinese is data (data/cli-zh.toml),
laid over the commands before they run. click marks its own words for gettext but ships no
catalogue, so its modules' gettext functions are pointed at the Chinese words here.
"""

from __future__ import annotations

import gettext
import os
import sys
import tomllib

import click

from ..core.i18n import environment_lang, lang_or
from ..core.resources import data_file

_CLICK_MODULES = ("core", "exceptions", "types", "parser", "decorators", "formatting", "termui", "utils")


def requested_lang(args: list[str]) -> str:
    """--lang before the command (charter --lang en list), else CHARTER_LANG, else the locale."""
    for index, arg in enumerate(args):
        if arg == "--lang" and index + 1 < len(args):
            return lang_or(args[index + 1], environment_lang())
        if arg.startswith("--lang="):
            return lang_or(arg.split("=", 1)[1], environment_lang())
        if not arg.startswith("-"):
            break  # the command's own --lang (unit init) is another thing
    return environment_lang()


def _walk(command: click.Command, path: str = ""):
    yield path, command
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            yield from _walk(sub, f"{path} {name}".strip())


def localize(group: click.Group, lang: str) -> None:
    """Lay the language's help over every command and option, and give click its words."""
    os.environ["CHARTER_LANG"] = lang  # the commands' own messages follow the same choice
    if lang != "zh":
        return
    words = tomllib.loads(data_file("cli-zh.toml").read_text("utf-8"))
    for path, command in _walk(group):
        if path in words["commands"]:
            command.help = words["commands"][path]
            command.short_help = command.help.split("\n", 1)[0].split("。", 1)[0]
        for param in command.params:
            key = f"{path}.{param.name}"
            found = words["options"].get(key) or words["options"].get(param.name or "")
            if isinstance(param, click.Option) and found:
                param.help = found
            if isinstance(param.type, click.Path):  # named when the command was defined, before this
                kind = "file" if not param.type.dir_okay else "directory" if not param.type.file_okay else "path"
                if isinstance(param, click.Option) and param.metavar is None:
                    param.metavar = kind.upper()  # the column of option names stays aligned
                param.type.name = words["click"][kind]
            if isinstance(param, click.Option) and isinstance(param.show_default, str):
                param.show_default = words["defaults"].get(param.name or "", param.show_default)
    singular, plural = words["click"], words["click_plural"]

    def translated(message: str) -> str:
        return singular.get(message, message)

    def translated_plural(one: str, many: str, count: int) -> str:
        if one in plural:
            return plural[one][0 if count == 1 else 1]
        return one if count == 1 else many

    for name in _CLICK_MODULES:
        module = sys.modules.get(f"click.{name}")
        if module is None:
            continue
        if getattr(module, "_", None) is gettext.gettext:
            module._ = translated
        if getattr(module, "ngettext", None) is gettext.ngettext:
            module.ngettext = translated_plural
