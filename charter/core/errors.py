"""What the user can act on: bad input (exit 2) and a machine that lacks what a format needs."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import partial
from typing import Any

from .i18n import text


def visible(value: str) -> str:
    """Text for a terminal: control and format characters (an escape sequence that would retitle
    the window or clear the screen, a zero-width space) shown as their code points."""
    return "".join(f"<U+{ord(c):04X}>" if unicodedata.category(c) in ("Cc", "Cf") and c not in "\n\t" else c
                   for c in value)


@dataclass(frozen=True)
class Problem:
    path: str  # group.dissolve_on, members[2].name; empty for the file as a whole
    message: str
    line: int | None = None

    def located(self, source: str) -> str:
        where = f"{source}:{self.line}" if self.line is not None else source
        return f"  {where}: {self.path + ': ' if self.path else ''}{self.message}"

    def brief(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class InputError(Exception):
    """Input the user can fix; the CLI prints it and exits 2."""

    def __init__(self, problems: list[Problem], source: str = "", lang: str = "zh"):
        self.problems = problems
        self.source = source
        self.lang = lang
        super().__init__(self.report())

    def __reduce__(self) -> tuple[type[InputError], tuple[list[Problem], str, str]]:
        # whole across processes (a render worker's error reaches the command or the page as raised)
        return type(self), (self.problems, self.source, self.lang)

    def report(self) -> str:
        """The problems as the user reads them; what they typed is in them, its control characters shown as codes."""
        if len(self.problems) == 1 and not self.source:
            return visible(self.problems[0].brief())
        head = text(self.lang, "errors.header", source=self.source or "input", count=len(self.problems))
        return visible("\n".join([head, *(p.located(self.source or "input") for p in self.problems)]))


def input_error(lang: str, key: str, field: str = "", source: str = "", **values: Any) -> InputError:
    """An InputError with one problem whose message is errors.<key>."""
    return InputError([Problem(field, text(lang, f"errors.{key}", **values))], source, lang)


class MachineError(Exception):
    """This machine lacks what the asked-for output needs (a library, a font); the CLI prints the
    one-line message, which names `charter doctor`, and exits 1. Other formats still work."""

    def __init__(self, lang: str, key: str, **values: Any):
        self.lang, self.key, self.values = lang, key, values
        super().__init__(text(lang, f"errors.{key}", **values))

    def __reduce__(self) -> tuple[partial[MachineError], tuple[str, str]]:
        return partial(type(self), **self.values), (self.lang, self.key)
