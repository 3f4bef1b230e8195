"""Bad input: problems that name the field and the line, reported in the file's language."""

from __future__ import annotations

from dataclasses import dataclass

from .i18n import text


@dataclass(frozen=True)
class Problem:
    path: str  # group.dissolve_on, members[2].name; empty for the file as a whole
    message: str
    line: int | None = None

    def render(self, source: str, lang: str) -> str:
        where = source
        if self.line is not None:
            where += f":{self.line}"
        return f"  {where}: {self.path + ': ' if self.path else ''}{self.message}"


class InputError(Exception):
    """Input the user can fix; the CLI prints it and exits 2."""

    def __init__(self, problems: list[Problem], source: str = "", lang: str = "zh"):
        self.problems = problems
        self.source = source
        self.lang = lang
        super().__init__(self.report())

    def report(self) -> str:
        if len(self.problems) == 1 and not self.source:
            only = self.problems[0]
            return f"{only.path}: {only.message}" if only.path else only.message
        head = text(self.lang, "errors.header", source=self.source or "input", count=len(self.problems))
        return "\n".join([head, *(p.render(self.source or "input", self.lang) for p in self.problems)])


def input_error(lang: str, key: str, field: str = "", source: str = "", **values) -> InputError:
    """An InputError with one problem whose message is errors.<key>."""
    return InputError([Problem(field, text(lang, f"errors.{key}", **values))], source, lang)
