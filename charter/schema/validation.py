"""Validation that names the field and the line, in the file's language, every problem at once."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic_core import ErrorDetails

from ..core.errors import InputError, Problem
from ..core.i18n import lang_or, text
from ..core.tomlfile import Loc, key_lines, line_of
from .answers import TIME_PATTERN, AnswersBase, answers_model
from .catalogue import Catalogue, builtin_catalogue
from .timing import DIGEST, uneasy_timings


def _path(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _known_fields(model: type[BaseModel], loc: Loc) -> list[str]:
    """Field names of the table at loc, for a "did you mean"."""
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        if field is None:
            return []
        annotation = field.annotation
        inner = [a for a in getattr(annotation, "__args__", (annotation,)) if isinstance(a, type)]
        table = next((a for a in inner if issubclass(a, BaseModel)), None)
        if table is None:
            return []
        model = table
    return list(model.model_fields)


def error_message(lang: str, error: ErrorDetails) -> str:
    """A pydantic error in the user's language."""
    kind = error["type"]
    ctx = dict(error.get("ctx") or {})
    if kind == "literal_error":
        ctx["expected"] = ctx.get("expected", "").replace("'", "").replace(" or ", ", ")
    if kind == "string_pattern_mismatch" and ctx.get("pattern") == TIME_PATTERN:
        kind = "time_format"
    try:
        return text(lang, f"errors.{kind}", **ctx)
    except KeyError:  # a kind of problem not worded yet: pydantic's words, marked as such
        return text(lang, "errors.other", detail=error["msg"])


def problems_from(error: ValidationError, model: type[BaseModel], lines: Mapping[Loc, int],
                  lang: str) -> list[Problem]:
    problems = []
    for item in error.errors():
        loc = tuple(p for p in item["loc"] if not (isinstance(p, str) and p.startswith(("function-", "lax-"))))
        message = error_message(lang, item)
        if item["type"] == "extra_forbidden":
            close = difflib.get_close_matches(str(loc[-1]), _known_fields(model, loc[:-1]), n=1)
            if close:
                message += text(lang, "errors.did_you_mean", suggestion=close[0])
        problems.append(Problem(_path(loc), message, line_of(lines, loc)))
    return problems


def _consistency(answers: AnswersBase, catalogue: Catalogue, lines: Mapping[Loc, int]) -> list[Problem]:
    """Checks across fields, which the schema alone cannot express."""
    lang, group = answers.lang, answers.group
    problems: list[Problem] = []

    def problem(loc: Loc, key: str, **values: Any) -> None:
        problems.append(Problem(_path(loc), text(lang, f"errors.{key}", **values), line_of(lines, loc)))

    if group.kind in ("temporary", "project") and group.dissolve_on is None:
        problem(("group", "dissolve_on"), "dissolve_required")
    if group.kind == "standing":
        if group.review_every_months is None:
            problem(("group", "review_every_months"), "review_required")
        if group.dissolve_on is not None:
            problem(("group", "dissolve_on"), "dissolve_not_allowed")
    if group.dissolve_on is not None and group.dissolve_on <= group.created:
        problem(("group", "dissolve_on"), "dissolve_before_created",
                dissolve_on=group.dissolve_on.isoformat(), created=group.created.isoformat())
    if group.dissolve_on is not None and group.dissolve_on > group.created:
        for timing in uneasy_timings(answers, catalogue):
            if not timing.fits:
                shown = catalogue.params[timing.param].shown(timing.value, lang)
                problem(("rules", "params", timing.param), "digest_never" if timing.param == DIGEST else "longer_than_life",
                        value=shown, life=timing.life, created=group.created.isoformat(),
                        dissolve_on=group.dissolve_on.isoformat())
    for index, event in enumerate(answers.history):
        if event.event == "renewed" and (event.until is None or event.until <= event.on):
            problem(("history", index, "until"), "renewal_until", on=event.on.isoformat())
    return problems


def _typed_as_written(written: Any, validated: Any, loc: Loc, lines: Mapping[Loc, int], lang: str) -> list[Problem]:
    """Where a file's value had to be guessed at to fit the schema: a true or a 1 for a number or a
    switch, a quoted number or word for either. (A quoted date is a date the schema documents.)"""
    kind = type(written)
    if kind is type(validated):  # most values: a text kept as text (run for every group a register lists)
        if kind is dict:
            return [p for key, value in written.items() if key in validated
                    for p in _typed_as_written(value, validated[key], (*loc, key), lines, lang)]
        if kind is list:
            return [p for index, (value, kept) in enumerate(zip(written, validated))
                    for p in _typed_as_written(value, kept, (*loc, index), lines, lang)]
        return []
    if isinstance(validated, bool):
        wrong = "" if isinstance(written, bool) else "bool_type"
    elif isinstance(validated, int):
        wrong = "" if isinstance(written, int) and not isinstance(written, bool) else "int_type"
    else:
        wrong = ""
    return [Problem(_path(loc), text(lang, f"errors.{wrong}"), line_of(lines, loc))] if wrong else []


def _unknown_rule(loc: Loc, rule_id: str, known: list[str], lines: Mapping[Loc, int], lang: str,
                  line_loc: Loc | None = None) -> Problem:
    close = difflib.get_close_matches(rule_id, known, n=1)
    hint = text(lang, "errors.did_you_mean", suggestion=close[0]) if close else ""
    return Problem(_path(loc), text(lang, "errors.unknown_rule", rule=rule_id) + hint,
                   line_of(lines, line_loc or loc))


def _catalogue_problems(data: Any, catalogue: Catalogue, lines: Mapping[Loc, int], lang: str) -> list[Problem]:
    """Rule ids and categories the catalogue does not know, read from the raw answers, so that they
    are reported together with the schema's problems rather than only once those are fixed."""
    rules = data.get("rules") if isinstance(data, dict) else None
    if not isinstance(rules, dict):
        return []
    problems: list[Problem] = []
    known = catalogue.rule_ids()
    for field in ("off", "on"):
        ids = rules.get(field)
        for index, rule_id in enumerate(ids if isinstance(ids, list) else []):
            if isinstance(rule_id, str) and rule_id not in known:
                problems.append(_unknown_rule(("rules", field, index), rule_id, known, lines, lang,
                                              ("rules", field)))
    reworded = rules.get("text")
    for rule_id in reworded if isinstance(reworded, dict) else {}:
        if rule_id not in known:
            problems.append(_unknown_rule(("rules", "text", rule_id), rule_id, known, lines, lang))
    customs = rules.get("custom")
    for index, custom in enumerate(customs if isinstance(customs, list) else []):
        category = custom.get("category") if isinstance(custom, dict) else None
        if isinstance(category, str) and category not in catalogue.categories.order:
            loc = ("rules", "custom", index, "category")
            problems.append(Problem(_path(loc), text(lang, "errors.unknown_choice",
                                                     expected=", ".join(catalogue.categories.order)),
                                    line_of(lines, loc)))
    return problems


def field_problem(model: type[BaseModel], path: str, value: Any, lang: str) -> str | None:
    """Why one answer is not valid for the field at a dotted path (e.g. group.name), or None.

    The questionnaire checks each answer as it is typed, with the same rules as the file.
    """
    *tables, name = path.split(".")
    for table in tables:
        annotation = model.model_fields[table].annotation
        model = next(a for a in getattr(annotation, "__args__", (annotation,))
                     if isinstance(a, type) and issubclass(a, BaseModel))
    field = model.model_fields[name]
    try:
        checked: Any = Annotated[field.annotation, *field.metadata] if field.metadata else field.annotation
        TypeAdapter(checked).validate_python(value)
    except ValidationError as error:
        return error_message(lang, error.errors()[0])
    return None


def validate_answers(data: Any, catalogue: Catalogue | None = None, source: str = "",
                     source_text: str = "", typed: Any = None) -> AnswersBase:
    """A validated answers model, or InputError listing every problem. typed: what a file itself
    says (TOML, before a unit's defaults and locks are laid on it), whose values are typed
    already, so `leave_days = true` or `show_roster = "yes"` is a mistake to name, not a 1 or a
    true to guess; forms and CSV rows give text, which the schema converts."""
    catalogue = catalogue or builtin_catalogue()
    model = answers_model(catalogue)
    lang = lang_or(data.get("lang") if isinstance(data, dict) else None)
    lines: Mapping[Loc, int] = key_lines(source_text) if source_text else {}
    from_catalogue = _catalogue_problems(data, catalogue, lines, lang)
    try:
        answers = model.model_validate(data)
    except ValidationError as error:
        found = problems_from(error, model, lines, lang)
        paths = {problem.path for problem in found}
        raise InputError(found + [p for p in from_catalogue if p.path not in paths], source, lang) from None
    problems = _consistency(answers, catalogue, lines) + from_catalogue
    if typed is not None:
        problems += _typed_as_written(typed, answers.model_dump(), (), lines, answers.lang)
    if problems:
        raise InputError(problems, source, lang)
    return answers


