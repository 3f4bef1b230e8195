"""The answers file: its schema, and validation that names the field and the line."""

from __future__ import annotations

import difflib
import json
import re
import tomllib
import unicodedata
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, TypeAdapter,
                      ValidationError, create_model)
from pydantic_core import PydanticCustomError

from .catalogue import Catalogue, Kind, builtin_catalogue
from .dates import add_months
from .errors import InputError, Problem, input_error
from .i18n import LANGS, environment_lang, text
from .tomlmap import key_lines, line_of

MAX_FILE_BYTES = 2_000_000

Lang = Literal["zh", "en"]
Platform = Literal["wechat", "wecom", "dingtalk", "feishu", "qq", "slack", "teams", "other"]
Role = Literal["owner", "admin", "member", "guest"]


# Bidi embeddings, overrides and isolates reorder the text after them, so a name could
# make the printed rules read differently from what was typed (right-to-left script
# itself is fine).
_BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _no_control_chars(value: str) -> str:
    # Line breaks and tabs are how people write; other control characters only ever
    # come from a paste gone wrong and would print as nothing or as boxes.
    if any(unicodedata.category(c) == "Cc" and c not in "\n\t" for c in value):
        raise PydanticCustomError("control_chars", "contains control characters")
    if _BIDI_CONTROLS.intersection(value):
        raise PydanticCustomError("bidi_controls", "contains text-direction control characters")
    return value


def _text(max_length: int, min_length: int = 1):
    return Annotated[str, StringConstraints(strip_whitespace=True, min_length=min_length,
                                            max_length=max_length), AfterValidator(_no_control_chars)]


Name = _text(40)
Label = _text(60, min_length=0)


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Person(StrictModel):
    name: Name
    unit: Label = ""
    title: Label = ""


class Member(Person):
    role: Role = "member"


class Group(StrictModel):
    name: _text(60)
    purpose: _text(2000)
    platform: Platform = "wechat"
    kind: Kind
    created: date
    dissolve_on: date | None = None
    review_every_months: Annotated[int, Field(ge=1, le=24)] | None = None


class CustomRule(StrictModel):
    category: str = "enforcement"
    text: _text(4000) = Field(description="Markdown; raw HTML is removed.")


class RulesBase(StrictModel):
    off: list[str] = Field(default=[], description="ids of rules switched off")
    on: list[str] = Field(default=[], description="ids of rules switched on")
    custom: list[CustomRule] = []


class Event(StrictModel):
    """Something that happened to the group after its charter was written."""
    event: Literal["dissolved", "renewed"]
    on: date
    reason: _text(200, min_length=0) = ""
    until: date | None = Field(default=None, description="renewed: the new dissolution or next review date")


class AnswersBase(StrictModel):
    lang: Lang = "zh"
    unit: str | None = Field(default=None, description="the unit folder, relative to this file")
    unit_name: str | None = Field(default=None, description="the unit's name when last rendered")
    unit_version: str | None = Field(default=None, description="the unit's version when last rendered")
    show_roster: bool = False
    group: Group
    owner: Person
    successor: Person | None = None
    members: list[Member] = Field(default=[], max_length=5000)
    history: list[Event] = []

    @property
    def dissolved_on(self) -> date | None:
        return next((e.on for e in reversed(self.history) if e.event == "dissolved"), None)

    def next_review(self) -> date | None:
        """A standing group's next review: the date its last renewal set, else N months after creation."""
        if self.group.review_every_months is None:
            return None
        renewed = [e.until for e in self.history if e.event == "renewed" and e.until]
        return renewed[-1] if renewed else add_months(self.group.created, self.group.review_every_months)

    def due_date(self) -> date:
        """The date the group needs its owner: its dissolution, or its next review."""
        return self.group.dissolve_on or self.next_review()

    def param_values(self, catalogue: Catalogue) -> dict[str, int | str]:
        """Every parameter: the answer where given, the default for this kind and language otherwise."""
        given = self.rules.params.model_dump(exclude_none=True)
        return {**catalogue.param_defaults(self.group.kind, self.lang), **given}


_TIME = r"^([01]\d|2[0-3]):[0-5]\d$"


def _param_field(param) -> Any:
    if param.type == "int":
        kind = Annotated[int, Field(ge=param.min, le=param.max)]
    elif param.type == "time":
        kind = Annotated[str, StringConstraints(pattern=_TIME)]
    elif param.type == "choice":
        kind = Literal[tuple(param.choices)]
    else:
        kind = _text(param.max_length or 80)
    return (kind | None, Field(default=None, description=param.en))


def answers_model(catalogue: Catalogue) -> type[AnswersBase]:
    """The answers schema for a catalogue: its parameters become typed, checked fields.

    Built once per distinct set of parameters (a unit loaded again gives an equal catalogue,
    which must not build, and keep, another model)."""
    key = json.dumps({name: param.model_dump(mode="json") for name, param in catalogue.params.items()},
                     sort_keys=True)
    if key not in _models:
        _models[key] = _build_answers_model(catalogue)
    return _models[key]


_models: dict[str, type[AnswersBase]] = {}


def _build_answers_model(catalogue: Catalogue) -> type[AnswersBase]:
    params = create_model("Params", __base__=StrictModel,
                          **{name: _param_field(p) for name, p in catalogue.params.items()})
    rules = create_model("Rules", __base__=RulesBase, params=(params, params()))
    return create_model("Answers", __base__=AnswersBase, rules=(rules, rules()))


def _path(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _known_fields(model: type[BaseModel], loc: tuple) -> list[str]:
    """Field names of the table at loc, for a "did you mean"."""
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        if field is None:
            return []
        annotation = field.annotation
        inner = [a for a in getattr(annotation, "__args__", (annotation,)) if isinstance(a, type)]
        model = next((a for a in inner if issubclass(a, BaseModel)), None)
        if model is None:
            return []
    return list(model.model_fields)


def error_message(lang: str, error: dict) -> str:
    """A pydantic error in the user's language."""
    kind = error["type"]
    ctx = dict(error.get("ctx") or {})
    if kind == "literal_error":
        ctx["expected"] = ctx.get("expected", "").replace("'", "").replace(" or ", ", ")
    if kind == "string_pattern_mismatch" and ctx.get("pattern") == _TIME:
        kind = "time_format"
    try:
        return text(lang, f"errors.{kind}", **ctx)
    except KeyError:
        return error["msg"]


def problems_from(error: ValidationError, model: type[BaseModel], lines: dict, lang: str) -> list[Problem]:
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


def _consistency(answers: AnswersBase, catalogue: Catalogue, lines: dict) -> list[Problem]:
    """Checks across fields, which the schema alone cannot express."""
    lang, group = answers.lang, answers.group
    problems = []

    def problem(loc: tuple, key: str, **values):
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
    known = catalogue.rule_ids()
    for field in ("off", "on"):
        for index, rule_id in enumerate(getattr(answers.rules, field)):
            if rule_id not in known:
                close = difflib.get_close_matches(rule_id, known, n=1)
                hint = text(lang, "errors.did_you_mean", suggestion=close[0]) if close else ""
                problems.append(Problem(_path(("rules", field, index)),
                                        text(lang, "errors.unknown_rule", rule=rule_id) + hint,
                                        line_of(lines, ("rules", field))))
    for index, event in enumerate(answers.history):
        if event.event == "renewed" and (event.until is None or event.until <= event.on):
            problem(("history", index, "until"), "renewal_until", on=event.on.isoformat())
    for index, custom in enumerate(answers.rules.custom):
        if custom.category not in catalogue.categories.order:
            problem(("rules", "custom", index, "category"), "unknown_choice",
                    expected=", ".join(catalogue.categories.order))
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
        annotation = Annotated[field.annotation, *field.metadata] if field.metadata else field.annotation
        TypeAdapter(annotation).validate_python(value)
    except ValidationError as error:
        return error_message(lang, error.errors()[0])
    return None


def _guess_lang(data: Any) -> str:
    lang = data.get("lang") if isinstance(data, dict) else None
    return lang if lang in LANGS else "zh"


def validate_answers(data: Any, catalogue: Catalogue | None = None, source: str = "",
                     source_text: str = "") -> AnswersBase:
    """A validated answers model, or InputError listing every problem."""
    catalogue = catalogue or builtin_catalogue()
    model = answers_model(catalogue)
    lang = _guess_lang(data)
    lines = key_lines(source_text) if source_text else {}
    try:
        answers = model.model_validate(data)
    except ValidationError as error:
        raise InputError(problems_from(error, model, lines, lang), source, lang) from None
    problems = _consistency(answers, catalogue, lines)
    if problems:
        raise InputError(problems, source, lang)
    return answers


_TOML_POSITION = re.compile(r"\(at line (\d+), column \d+\)")
_LANG_EN = re.compile(r'^\s*lang\s*=\s*["\']en["\']', re.MULTILINE)


def parse_answers_text(source_text: str, source: str = "") -> dict:
    try:
        return tomllib.loads(source_text)
    except RecursionError:
        lang = "en" if _LANG_EN.search(source_text) else "zh"
        raise input_error(lang, "too_deep", source=source) from None
    except tomllib.TOMLDecodeError as error:
        lang = "en" if _LANG_EN.search(source_text) else "zh"
        at = _TOML_POSITION.search(str(error))
        detail = _TOML_POSITION.sub("", str(error)).strip()
        problem = Problem("", text(lang, "errors.toml", detail=detail), int(at.group(1)) if at else None)
        raise InputError([problem], source, lang) from None


def read_answers_file(path: Path) -> tuple[dict, str]:
    """The parsed TOML of an answers file and its text; bad files raise InputError."""
    name, lang = str(path), environment_lang()
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise input_error(lang, "too_large", source=name, size=size, limit=MAX_FILE_BYTES)
        source_text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise input_error(lang, "not_found", path=name) from None
    except (OSError, UnicodeDecodeError) as error:
        raise input_error(lang, "unreadable", source=name, detail=str(error)) from None
    return parse_answers_text(source_text, name), source_text


def load_answers(path: Path, catalogue: Catalogue | None = None) -> AnswersBase:
    data, source_text = read_answers_file(path)
    return validate_answers(data, catalogue, str(path), source_text)


def answers_schema(catalogue: Catalogue | None = None) -> dict:
    schema = answers_model(catalogue or builtin_catalogue()).model_json_schema()
    schema["title"] = "charter answers file"
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def answers_to_data(answers: AnswersBase) -> dict:
    """The answers as plain TOML-ready data: what was chosen, without the defaults (lang always)."""
    data = answers.model_dump(mode="python", exclude_none=True, exclude_defaults=True)
    data["group"] = answers.group.model_dump(mode="python", exclude_none=True)  # all of it, for the register
    return {"lang": answers.lang, **data}
