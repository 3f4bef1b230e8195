"""questionary's prompts in the questionnaire's language.

questionary's own words are English only: "(Use arrow keys)", "(Y/n)", an answered yes/no as
"Yes", a tick list as "done (2 selections)". Each prompt here is given the language's hint,
and a yes/no or a tick list, once answered, is shown in the language's words instead of
questionary's (its answered line is erased).
"""

from __future__ import annotations

from typing import Any, Callable

import questionary
from questionary import Choice

from ..core.i18n import text


def select(lang: str, message: str, choices: list, default=None) -> Any:
    return questionary.select(message, choices=choices, default=default,
                              instruction=text(lang, "prompt.select")).unsafe_ask()


def checkbox(lang: str, message: str, choices: list[Choice], echo: Callable[[str], None]) -> list:
    question = questionary.checkbox(message, choices=choices, instruction=text(lang, "prompt.checkbox"))
    return _answered(question, message, echo, lambda ticked: text(lang, "prompt.ticked", count=len(ticked)))


def confirm(lang: str, message: str, default: bool, echo: Callable[[str], None]) -> bool:
    hint = text(lang, "prompt.confirm_yes" if default else "prompt.confirm_no")
    question = questionary.confirm(message, default=default, instruction=hint + " ")
    return _answered(question, message, echo, lambda yes: text(lang, "ask.yes" if yes else "ask.no"))


def _answered(question: questionary.Question, message: str, echo: Callable[[str], None],
              shown: Callable[[Any], str]) -> Any:
    question.application.erase_when_done = True
    value = question.unsafe_ask()
    echo(f"? {message} {shown(value)}")
    return value
