"""The questionnaire's questions, declared as data.

Each question names the answers-file field it fills (a dotted key), its type, its choices,
its default, an extra check beyond the answers schema, and when it is asked. The terminal
questionnaire asks them; a browser form can ask the same ones from the same definitions.
Every answer is also checked against the answers schema of its field (answers.field_problem).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable

from jinja2 import meta
from jinja2.sandbox import ImmutableSandboxedEnvironment

from .answers import field_problem
from .catalogue import KINDS, Catalogue
from .dates import long_date, parse_date
from .i18n import environment_lang, messages, text
from .tree import get, put

Answers = dict  # the answers so far, shaped like the answers file


def lang_of(answers: Answers) -> str:
    return answers.get("lang", environment_lang())


@dataclass(frozen=True)
class Question:
    key: str  # the answers-file field, e.g. group.dissolve_on
    type: str  # text | select | confirm | date | int | checkbox | members
    label: str  # the question, already in the answers' language
    hint: str = ""  # an example or the accepted forms
    choices: list[tuple[Any, str]] = field(default_factory=list)
    default: Any = None
    check: Callable[[Any, Answers], str | None] | None = None  # beyond the answers schema
    schema_key: str | None = None  # the field whose schema rules apply, when not `key`
    schema: bool = True  # False: an answer that fills no answers-file field (a file path)
    optional: bool = False  # an empty answer removes the key
    examples: list[str] = field(default_factory=list)  # offered to pick from, then edit
    store: Callable[[Answers, Any], None] | None = None  # how the answer is kept, when not put(key)


def _ask(lang: str, key: str, **values) -> str:
    return text(lang, f"ask.{key}", **values)


# ── 1 language ────────────────────────────────────────────────────────────────
def language_questions(answers: Answers, catalogue: Catalogue, today: date) -> list[Question]:
    return [Question("lang", "select", _ask(lang_of(answers), "lang"),
                     choices=[("zh", "中文"), ("en", "English")], default=lang_of(answers))]


# ── 2 the group ───────────────────────────────────────────────────────────────
def group_questions(answers: Answers, catalogue: Catalogue, today: date) -> list[Question]:
    lang = lang_of(answers)
    t = messages(lang)
    kind = get(answers, "group.kind", "temporary")
    return [
        Question("group.name", "text", _ask(lang, "group_name"), hint=_ask(lang, "group_name_example"),
                 default=get(answers, "group.name", "")),
        Question("group.platform", "select", _ask(lang, "platform"),
                 choices=list(t["platforms"].items()), default=get(answers, "group.platform", "wechat")),
        Question("group.kind", "select", _ask(lang, "kind"),
                 choices=[(k, t["kind_help"][k]) for k in KINDS], default=kind),
        Question("group.purpose", "text", _ask(lang, "purpose"), default=get(answers, "group.purpose", ""),
                 examples=t["purpose_examples"][kind]),
    ]


# ── 3 lifetime ────────────────────────────────────────────────────────────────
def _dissolve_check(today: date):
    def check(value: date, answers: Answers) -> str | None:
        lang = lang_of(answers)
        created = get(answers, "group.created", today)
        if value < today:
            return text(lang, "errors.date_past", date=long_date(value, lang))
        if value <= created:
            return text(lang, "errors.date_not_after_created", created=long_date(created, lang))
        return None
    return check


def lifetime_questions(answers: Answers, catalogue: Catalogue, today: date) -> list[Question]:
    lang = lang_of(answers)
    standing = get(answers, "group.kind") == "standing"
    questions = [Question("group.created", "date", _ask(lang, "created"), default=get(answers, "group.created", today))]
    if standing:
        questions.append(Question("group.review_every_months", "int", _ask(lang, "review_every_months"),
                                  default=get(answers, "group.review_every_months", 6)))
    else:
        questions.append(Question("group.dissolve_on", "date", _ask(lang, "dissolve_on"), hint=_ask(lang, "date_forms"),
                                  default=get(answers, "group.dissolve_on"), check=_dissolve_check(today)))
    return questions


def lifetime_cleanup(answers: Answers) -> None:
    """A kind changed after its lifetime was answered leaves no answer of the other kind behind."""
    if get(answers, "group.kind") == "standing":
        put(answers, "group.dissolve_on", None)
    else:
        put(answers, "group.review_every_months", None)


# ── 4 people ──────────────────────────────────────────────────────────────────
def _person(lang: str, answers: Answers, who: str) -> list[Question]:
    return [
        Question(f"{who}.name", "text", _ask(lang, f"{who}_name"), hint=_ask(lang, "person_example"),
                 default=get(answers, f"{who}.name", "")),
        Question(f"{who}.unit", "text", _ask(lang, f"{who}_unit"), hint=_ask(lang, "unit_example"),
                 default=get(answers, f"{who}.unit", ""), optional=True),
        Question(f"{who}.title", "text", _ask(lang, f"{who}_title"), hint=_ask(lang, "title_example"),
                 default=get(answers, f"{who}.title", ""), optional=True),
    ]


def _keep_successor(answers: Answers, wanted: bool) -> None:
    if not wanted:
        answers.pop("successor", None)
    else:
        answers.setdefault("successor", {})


def people_questions(answers: Answers, catalogue: Catalogue, today: date) -> list[Question]:
    lang = lang_of(answers)
    questions = _person(lang, answers, "owner")
    questions.append(Question("successor", "confirm", _ask(lang, "has_successor"),
                              default="successor" in answers, store=_keep_successor))
    return questions


def successor_questions(answers: Answers, catalogue: Catalogue, today: date) -> list[Question]:
    lang = lang_of(answers)
    if "successor" not in answers:
        return []
    return _person(lang, answers, "successor")


def member_fields(answers: Answers) -> list[Question]:
    """One member's questions; the terminal asks them again and again until the name is empty."""
    lang = lang_of(answers)
    roles = messages(lang)["roles"]
    return [
        Question("name", "text", _ask(lang, "member_name"), hint=_ask(lang, "person_example"),
                 schema_key="members.name", optional=True),
        Question("unit", "text", _ask(lang, "member_unit"), hint=_ask(lang, "unit_example"),
                 schema_key="members.unit", optional=True),
        Question("title", "text", _ask(lang, "member_title"), hint=_ask(lang, "title_example"),
                 schema_key="members.title", optional=True),
        Question("role", "select", _ask(lang, "member_role"),
                 choices=[(r, roles[r]) for r in ("member", "admin", "guest")], default="member"),
    ]


def members_questions(answers: Answers, catalogue: Catalogue, today: date) -> list[Question]:
    lang = lang_of(answers)
    return [
        Question("members", "members", _ask(lang, "members_how")),
        Question("show_roster", "confirm", _ask(lang, "show_roster"), default=answers.get("show_roster", False)),
    ]


# ── 5 rules ───────────────────────────────────────────────────────────────────
_parser = ImmutableSandboxedEnvironment()


def params_of(source: str) -> set[str]:
    """The names a rule text uses, so only the parameters of rules that are on get asked."""
    return meta.find_undeclared_variables(_parser.parse(source))


def _rule_values(answers: Answers, catalogue: Catalogue, lang: str) -> dict:
    kind = get(answers, "group.kind", "temporary")
    values = {**catalogue.param_defaults(kind, lang), **get(answers, "rules.params", {})}
    shown = {name: catalogue.params[name].shown(value, lang) for name, value in values.items()}
    # The facts are not known to this step in every case; a rule's checkbox shows a placeholder.
    return {**shown, "owner": get(answers, "owner.name", "…"), "successor": get(answers, "successor.name", ""),
            "kind_label": messages(lang)["kinds"][kind], "dissolve_on": "…", "review_every_months": "…",
            "next_review": "…"}


def chosen_rule_ids(answers: Answers, catalogue: Catalogue) -> list[str]:
    kind = get(answers, "group.kind", "temporary")
    return [r.id for r in catalogue.chosen_rules(kind, get(answers, "rules.on", []), get(answers, "rules.off", []))]


def _store_category(catalogue: Catalogue, category: str):
    """Keep the ticks of one category as on/off lists relative to the kind's defaults."""
    def store(answers: Answers, ticked: list[str]) -> None:
        kind = get(answers, "group.kind", "temporary")
        in_category = [r for r in catalogue.rules if r.category == category]
        on = [i for i in get(answers, "rules.on", []) if i not in {r.id for r in in_category}]
        off = [i for i in get(answers, "rules.off", []) if i not in {r.id for r in in_category}]
        on += [r.id for r in in_category if r.id in ticked and kind not in r.kinds]
        off += [r.id for r in in_category if r.id not in ticked and kind in r.kinds]
        put(answers, "rules.on", on or None)
        put(answers, "rules.off", off or None)
    return store


def rule_questions(answers: Answers, catalogue: Catalogue, today: date) -> list[Question]:
    lang = lang_of(answers)
    t = messages(lang)
    values = _rule_values(answers, catalogue, lang)
    chosen = chosen_rule_ids(answers, catalogue)
    questions = []
    for category in catalogue.categories.order:
        rules = [r for r in catalogue.rules if r.category == category]
        if rules:
            questions.append(Question(
                f"rules.{category}", "checkbox", _ask(lang, "rules_category", category=t["categories"][category]),
                choices=[(r.id, catalogue.fill(r.wording(lang, brief=True), values)) for r in rules],
                default=[r.id for r in rules if r.id in chosen], store=_store_category(catalogue, category)))
    return questions


def _store_param(catalogue: Catalogue, name: str):
    """Keep a parameter only when it differs from its default, so defaults follow the kind."""
    def store(answers: Answers, value) -> None:
        default = catalogue.params[name].default_for(get(answers, "group.kind", "temporary"), lang_of(answers))
        put(answers, f"rules.params.{name}", None if value == default else value)
    return store


def param_questions(answers: Answers, catalogue: Catalogue, today: date) -> list[Question]:
    lang = lang_of(answers)
    kind = get(answers, "group.kind", "temporary")
    chosen = set(chosen_rule_ids(answers, catalogue))
    used = set()
    for rule in catalogue.rules:
        if rule.id in chosen:
            used |= params_of(rule.wording(lang)) | params_of(rule.wording(lang, brief=True))
    questions = []
    for name, param in catalogue.params.items():
        if name not in used:
            continue
        current = get(answers, f"rules.params.{name}", param.default_for(kind, lang))
        question_type = {"int": "int", "choice": "select"}.get(param.type, "text")
        choices = [(k, c.zh if lang == "zh" else c.en) for k, c in param.choices.items()]
        questions.append(Question(f"rules.params.{name}", question_type, param.label(lang), choices=choices,
                                  default=current, store=_store_param(catalogue, name)))
    return questions


def _store_custom(answers: Answers, wanted: bool) -> None:
    if not wanted:
        put(answers, "rules.custom", None)
    elif not get(answers, "rules.custom"):
        put(answers, "rules.custom", [{"category": "enforcement", "text": ""}])


def custom_questions(answers: Answers, catalogue: Catalogue, today: date) -> list[Question]:
    lang = lang_of(answers)
    return [Question("rules.custom", "confirm", _ask(lang, "add_custom"), default=bool(get(answers, "rules.custom")),
                     store=_store_custom)]


def _store_first_custom(field_name: str):
    def store(answers: Answers, value) -> None:
        answers["rules"]["custom"][0][field_name] = value
    return store


def custom_rule_questions(answers: Answers, catalogue: Catalogue, today: date) -> list[Question]:
    lang = lang_of(answers)
    customs = get(answers, "rules.custom")
    if not customs:
        return []
    t = messages(lang)
    return [
        Question("rules.custom.text", "text", _ask(lang, "custom_text"), hint=_ask(lang, "custom_example"),
                 default=customs[0].get("text", ""),
                 schema_key="rules.custom.text", store=_store_first_custom("text")),
        Question("rules.custom.category", "select", _ask(lang, "custom_category"),
                 choices=[(c, t["categories"][c]) for c in catalogue.categories.order],
                 default=customs[0].get("category", "enforcement"), store=_store_first_custom("category")),
    ]


# The sections a user fills in, in order; each is a list of question groups asked in turn
# (a later group may depend on an earlier answer, e.g. the successor's name on "has successor").
SECTIONS: list[tuple[str, list[Callable]]] = [
    ("language", [language_questions]),
    ("group", [group_questions]),
    ("lifetime", [lifetime_questions]),
    ("people", [people_questions, successor_questions, members_questions]),
    ("rules", [rule_questions, param_questions, custom_questions, custom_rule_questions]),
]
STEP_COUNT = len(SECTIONS) + 2  # then review, then result


def check_answer(question: Question, raw: str, answers: Answers, model, today: date) -> tuple[Any, str | None]:
    """A typed, checked answer from the text typed for a question, or the reason it is not valid:
    the same checks in the terminal and in the browser."""
    if not raw.strip() and question.optional:
        return None, None
    value, problem = parse_answer(question, raw, answers, today)
    if problem is None and question.schema:
        problem = field_problem(model, question.schema_key or question.key, value, lang_of(answers))
    if problem is None and question.check:
        problem = question.check(value, answers)
    return value, problem


def parse_answer(question: Question, raw: str, answers: Answers, today: date) -> tuple[Any, str | None]:
    """A typed answer from the text typed for it, or the reason it cannot be one."""
    lang = lang_of(answers)
    raw = raw.strip()
    if question.type == "date":
        value = parse_date(raw, today)
        if value is None:
            return None, text(lang, "errors.date_unreadable")
        return value, None
    if question.type == "int":
        try:
            return int(raw), None
        except ValueError:
            return None, text(lang, "errors.int_parsing")
    return raw, None
