"""The command line in the user's language: charter's help and click's own words in Chinese.

The English is in the code beside each command; the Chinese is data (data/cli-zh.toml),
laid over the commands before they run. click marks its own words for gettext but ships no
catalogue, so its modules' gettext functions are pointed at the Chinese words here.
"""

from __future__ import annotations

import gettext
import os
import re
import sys
import tomllib
import unicodedata

import click
import click.formatting

from ..core.i18n import environment_lang, lang_or
from ..core.resources import data_file

_CLICK_MODULES = ("core", "exceptions", "types", "parser", "decorators", "formatting", "termui", "utils")


def requested_lang(args: list[str]) -> str:
    """--lang before or after the command (charter --lang en list, charter check FILE --lang en),
    else CHARTER_LANG, else the locale. Read before click parses, so that the help is in it too."""
    for index, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--lang" and index + 1 < len(args):
            return lang_or(args[index + 1], environment_lang())
        if arg.startswith("--lang="):
            return lang_or(arg.split("=", 1)[1], environment_lang())
    return environment_lang()


def choose_lang(ctx, param, value):
    if value:
        os.environ["CHARTER_LANG"] = value  # every message after this one follows it


LANG_HELP = "Language of messages and help: zh or en (default: the CHARTER_LANG variable, else the locale)."


def lang_option() -> click.Option:
    return click.Option(["--lang"], type=click.Choice(["zh", "en"]), expose_value=False, is_eager=True,
                        callback=choose_lang, help=LANG_HELP)


def offer_lang(group: click.Group) -> None:
    """--lang on every command, so that it is found in each command's help and taken after the
    command's name; a command with a --lang of its own (unit init: the unit file's language) keeps it."""
    for _, command in _walk(group):
        if not any("--lang" in getattr(param, "opts", ()) for param in command.params):
            command.params.append(lang_option())


def _walk(command: click.Command, path: str = ""):
    yield path, command
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            yield from _walk(sub, f"{path} {name}".strip())


def _summary(help_text: str, lang: str) -> str:
    """A command's line in its group's list: the first sentence of its help, whole (click would cut it at
    the terminal's width with "…")."""
    first = " ".join(help_text.strip().split("\n\n", 1)[0].split())
    return first.split("。", 1)[0] if lang == "zh" else re.split(r"(?<=\.) ", first, maxsplit=1)[0]


def _columns(value: str) -> int:
    """The columns a string takes on a terminal: a Chinese character takes two, so the help's columns
    line up (click counts characters)."""
    plain = click.unstyle(value)
    return len(plain) + sum(unicodedata.east_asian_width(c) in "WF" for c in plain)


def localize(group: click.Group, lang: str) -> None:
    """Lay the language's help over every command and option, and give click its words."""
    os.environ["CHARTER_LANG"] = lang  # the commands' own messages follow the same choice
    if lang != "zh":
        for _, command in _walk(group):
            if command.help:
                command.short_help = _summary(command.help, lang)
        return
    words = tomllib.loads(data_file("cli-zh.toml").read_text("utf-8"))
    metavars = words["metavars"]
    for path, command in _walk(group):
        if path in words["commands"]:
            command.help = words["commands"][path]
            command.short_help = _summary(command.help, lang)
        command.options_metavar = metavars["[OPTIONS]"]
        if isinstance(command, click.Group):
            command.subcommand_metavar = metavars["COMMAND [ARGS]..."]
        for param in command.params:
            key = f"{path}.{param.name}"
            found = words["options"].get(key) or words["options"].get(param.name or "")
            if isinstance(param, click.Option) and found:
                param.help = found
            if isinstance(param.type, click.Path):  # named when the command was defined, before this
                kind = "file" if not param.type.dir_okay else "directory" if not param.type.file_okay else "path"
                param.type.name = words["click"][kind]
            elif param.type.name in metavars:
                param.type.name = metavars[param.type.name]  # TEXT, INTEGER RANGE: shared types, named once
            if isinstance(param, click.Argument) or (param.metavar or "").upper() in metavars:
                param.metavar = metavars.get((param.metavar or param.name or "").upper(), param.metavar)
            if isinstance(param, click.Option) and isinstance(param.show_default, str):
                param.show_default = words["defaults"].get(param.name or "", param.show_default)
    singular, plural = words["click"], words["click_plural"]

    def translated(message: str) -> str:
        return singular.get(message, message)

    def translated_plural(one: str, many: str, count: int) -> str:
        if one in plural:
            return plural[one][0 if count == 1 else 1]
        return one if count == 1 else many

    click.formatting.term_len = _columns
    for name in _CLICK_MODULES:
        module = sys.modules.get(f"click.{name}")
        if module is None:
            continue
        if getattr(module, "_", None) is gettext.gettext:
            module._ = translated
        if getattr(module, "ngettext", None) is gettext.ngettext:
            module.ngettext = translated_plural
