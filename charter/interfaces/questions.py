"""The questions engine: which questions a group's answers call for, and how an answer is kept.

The terminal questionnaire and the web form are two views over this one engine, so they
ask the same questions, skip the same locked ones, check answers the same way and store
them the same way. Each question names the answers-file field it fills (a dotted key),
its type, choices and default, and when it applies (`when`: another answer it depends on).

    engine.walk(section, answers, answer_for)

asks `answer_for(question)` for each question that applies, in order, applying each answer
before deciding what comes next: a question that an earlier answer brings in (the
successor's name after "name a successor? yes") is asked in the same walk.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Callable

from ..core.dates import add_months, long_date, parse_date
from ..core.dotted import get, put
from ..core.i18n import messages, text
from ..render.context import facet_words, usual_posted_at, usual_records
from ..schema.answers import AnswersBase, answers_model
from ..schema.catalogue import DEFAULT_PROFILE, FACTS, KINDS, SHORT_GROUP_DAYS, Preset, fill
from ..schema.group import validate_for
from ..schema.unit import Unit, catalogue_of
from ..schema.validation import field_problem
from .question import KEEP, Question, Shown, When, kind_of, lang_of, organisations_in, preset_of
from .spreadsheets import holds_more_than_a_name

SECTIONS = ("language", "group", "lifetime", "people", "rules")
STEP_COUNT = len(SECTIONS) + 2  # then review, then result
PERSON_NAMES = ("owner.name", "successor.name", "members.name")


def _ask(lang: str, key: str, **values) -> str:
    return text(lang, f"ask.{key}", **values)


class Engine:
    def __init__(self, unit: Unit | None, today: date):
        self.unit = unit
        self.catalogue = catalogue_of(unit)
        self.model = answers_model(self.catalogue)
        self.today = today
        # A page that does not say which profile its rule ticks were shown for, on which the
        # profile was changed: its ticks belong to the old profile and are not kept.
        self._stale_ticks = False
        # A walk draws a section's questions again after each answer: rule labels and the rules
        # naming each parameter are worked out once per engine (a web request), not per step.
        self._filled: dict[tuple, str] = {}
        self._users: dict[tuple, dict[str, set[str]]] = {}

    # ── the questions ───────────────────────────────────────────────────────────
    def questions(self, section: str, answers: dict) -> list[Question]:
        """Every question the section may ask, applicable now or not (a web form shows them all and
        hides those that do not apply); a unit's locked answers are never asked."""
        made = getattr(self, f"_{section}")(answers, lang_of(answers))
        return [q for q in made if not (self.unit and self.unit.is_locked(q.key))]

    def _language(self, answers: dict, lang: str) -> list[Question]:
        return [Question("lang", "select", _ask(lang, "lang"), choices=[("zh", "中文"), ("en", "English")],
                         default=lang, required=True)]

    def _group(self, answers: dict, lang: str) -> list[Question]:
        t = messages(lang)
        return [
            Question("group.name", "text", _ask(lang, "group_name"), hint=_ask(lang, "group_name_example"),
                     default=get(answers, "group.name", ""), required=True),
            Question("group.platform", "select", _ask(lang, "platform"), choices=list(t["platforms"].items()),
                     default=get(answers, "group.platform", "wechat")),
            Question("group.kind", "select", _ask(lang, "kind"), choices=[(k, t["kind_help"][k]) for k in KINDS],
                     default=kind_of(answers), required=True),
            Question("group.profile", "select", _ask(lang, "profile"),
                     choices=[(k, p.help(lang)) for k, p in self.catalogue.profiles.items()],
                     default=get(answers, "group.profile", DEFAULT_PROFILE), optional=True),  # none: office
            Question("group.audience", "select", _ask(lang, "audience"),
                     choices=[(k, a.help(lang)) for k, a in self.catalogue.audiences.items()],
                     default=self.catalogue.audience_of(preset_of(answers)), optional=True),  # none: as worked out
            # after the profile: a duty group is offered a duty group's purposes, not an office's
            Question("group.purpose", "textarea", _ask(lang, "purpose"), default=get(answers, "group.purpose", ""),
                     examples=t["profile_purposes"].get(get(answers, "group.profile", DEFAULT_PROFILE))
                     or t["purpose_examples"][kind_of(answers)], required=True),
            Question("group.urgent_contact", "text", _ask(lang, "urgent_contact"), hint=_ask(lang, "urgent_contact_example"),
                     default=get(answers, "group.urgent_contact", ""), optional=True),
        ]

    def _lifetime(self, answers: dict, lang: str) -> list[Question]:
        return [
            Question("group.created", "date", _ask(lang, "created"), default=get(answers, "group.created", self.today),
                     required=True),
            Question("group.dissolve_on", "date", _ask(lang, "dissolve_on"), hint=_ask(lang, "date_forms"),
                     default=get(answers, "group.dissolve_on"), required=True,
                     when=(When("group.kind", frozenset({"temporary", "project"})),)),
            Question("group.review_every_months", "int", _ask(lang, "review_every_months"),
                     default=get(answers, "group.review_every_months", 6), required=True,
                     when=(When("group.kind", frozenset({"standing"})),)),
        ]

    def _person(self, answers: dict, lang: str, who: str, when: tuple[When, ...] = ()) -> list[Question]:
        return [
            Question(f"{who}.name", "text", _ask(lang, f"{who}_name"), hint=_ask(lang, "person_example"),
                     default=get(answers, f"{who}.name", ""), required=True, when=when),
            Question(f"{who}.unit", "text", _ask(lang, f"{who}_unit"), hint=_ask(lang, "unit_example"),
                     default=get(answers, f"{who}.unit", ""), optional=True, when=when),
            Question(f"{who}.title", "text", _ask(lang, f"{who}_title"), hint=_ask(lang, "title_example"),
                     default=get(answers, f"{who}.title", ""), optional=True, when=when),
        ]

    def _people(self, answers: dict, lang: str) -> list[Question]:
        return [
            *self._person(answers, lang, "owner"),
            Question("successor", "confirm", _ask(lang, "has_successor"), default="successor" in answers),
            *self._person(answers, lang, "successor", when=(When("successor", frozenset({True})),)),
            Question("members", "members", _ask(lang, "members"), default=answers.get("members", [])),
            Question("show_roster", "confirm", _ask(lang, "show_roster"), default=answers.get("show_roster", False)),
            Question("group.organisations", "select", _ask(lang, "organisations"),
                     choices=[(k, o.help(lang)) for k, o in self.catalogue.organisations.items()],
                     default=organisations_in(answers), optional=True),
            *self._records(answers, lang),
        ]

    def _records(self, answers: dict, lang: str) -> list[Question]:
        """Who keeps which records where, and where the full rules are: each shown with the usual
        answer for this group, which is kept only when changed (so it follows the group's facts)."""
        preset = preset_of(answers)
        usual = facet_words(self.catalogue, preset)
        owner = get(answers, "owner.name", "")
        implied = {f"group.records.{fact.removeprefix('records_')}": value
                   for fact, value in usual_records(usual, owner).items()}
        implied["group.rules_posted_at"] = usual_posted_at(self.catalogue, preset, get(answers, "group.platform", "wechat"),
                                                            owner)
        return [Question(key, "text", _ask(lang, key.removeprefix("group.").replace(".", "_")),
                         hint=_ask(lang, {"group.records.keeper": "records_keeper_hint", "group.rules_posted_at":
                                          "rules_posted_at_hint"}.get(key, "records_hint")),
                         default=get(answers, key) or value, optional=True, implied=value)
                for key, value in implied.items()]

    def rule_values(self, answers: dict, lang: str) -> dict:
        """What a rule's checkbox label fills in: the parameters and the group's facts known so far;
        one not known yet is empty, which the catalogue's brief wordings read around (never "…")."""
        preset, t = preset_of(answers), messages(lang)
        platform = get(answers, "group.platform", "wechat")
        created, dissolve_on = get(answers, "group.created", self.today), get(answers, "group.dissolve_on")
        dated = isinstance(dissolve_on, date) and preset.kind != "standing"
        months = get(answers, "group.review_every_months", 6) if preset.kind == "standing" else None
        usual = facet_words(self.catalogue, preset)
        days = preset.lifetime_days
        known = {"owner": get(answers, "owner.name"), "successor": get(answers, "successor.name"),
                 "group_name": get(answers, "group.name"), "kind_label": t["kinds"][preset.kind],
                 "admins": t["list_sep"].join(m["name"] for m in answers.get("members", []) if m.get("role") == "admin"),
                 "dissolve_on": long_date(dissolve_on, lang) if dated else "", "review_every_months": months,
                 "next_review": long_date(add_months(created, months), lang) if months else "",
                 "short_group": "yes" if dated and days is not None and days <= SHORT_GROUP_DAYS else "",
                 "platform": platform, "profile": preset.profile, **self.catalogue.platform_facts(platform, lang),
                 "audience": self.catalogue.audience_of(preset), "several": preset.organisations == "several",
                 "urgent_contact": get(answers, "group.urgent_contact"),
                 **{fact: get(answers, f"group.records.{fact.removeprefix('records_')}") or value
                    for fact, value in usual_records(usual, get(answers, "owner.name", "")).items()}}
        return {**self.catalogue.shown_params(preset, get(answers, "rules.params", {})),
                **dict.fromkeys(FACTS, ""), **{k: v for k, v in known.items() if v}}

    def _rules(self, answers: dict, lang: str) -> list[Question]:
        t = messages(lang)
        values = self.rule_values(answers, lang)
        chosen = self.chosen_rule_ids(answers)
        questions = []
        offered = self.catalogue.offered(preset_of(answers), get(answers, "rules.on", []))
        for category in self.catalogue.categories.order:
            rules = [r for r in offered if r.category == category]
            if rules:
                questions.append(Question(
                    f"rules.{category}", "checkbox", _ask(lang, "rules_category", category=t["categories"][category]),
                    choices=[(r.id, self._fill(r.wording(lang, brief=True), values)) for r in rules],
                    default=[r.id for r in rules if r.id in chosen],
                    accepts=frozenset(r.id for r in self.catalogue.rules if r.category == category)))
        defaults = self.catalogue.param_defaults(preset_of(answers))
        for name, param in self.catalogue.params.items():
            users = self._rules_using(name, lang)
            if not users:
                continue
            when = tuple(When(f"rules.{category}", frozenset(ids)) for category, ids in users.items())
            questions.append(Question(
                f"rules.params.{name}", {"int": "int", "choice": "select"}.get(param.type, "text"), param.label(lang),
                choices=[(k, c.zh if lang == "zh" else c.en) for k, c in param.choices.items()],
                default=get(answers, f"rules.params.{name}", defaults[name]), when=when))
        questions.append(Question("rules.custom", "custom_rules", _ask(lang, "add_custom"), hint=_ask(lang, "custom_example"),
                                  choices=[(c, t["categories"][c]) for c in self.catalogue.categories.order],
                                  default=get(answers, "rules.custom", [])))
        return questions

    def _fill(self, source: str, values: dict) -> str:
        key = (source, tuple(sorted(values.items())))
        if key not in self._filled:
            self._filled[key] = fill(source, values)
        return self._filled[key]

    def _rules_using(self, param: str, lang: str) -> dict[str, set[str]]:
        """The rules whose text names a parameter, by category: it is asked only when one of them is on."""
        if (param, lang) not in self._users:
            users: dict[str, set[str]] = {}
            for rule in self.catalogue.rules:
                if param in rule.params_named(lang):
                    users.setdefault(rule.category, set()).add(rule.id)
            self._users[param, lang] = users
        return self._users[param, lang]

    def chosen_rule_ids(self, answers: dict) -> list[str]:
        return [r.id for r in self.catalogue.chosen_rules(preset_of(answers), get(answers, "rules.on", []),
                                                          get(answers, "rules.off", []))]

    # ── what applies ─────────────────────────────────────────────────────────────
    def current(self, key: str, answers: dict):
        """An answer as its question holds it: ticked rule ids for a category, True/False for a table
        that is there or not (successor), the value otherwise."""
        if key == "successor":
            return "successor" in answers
        category = key.removeprefix("rules.")
        if key.startswith("rules.") and category in self.catalogue.categories.order:
            chosen = set(self.chosen_rule_ids(answers))
            return [r.id for r in self.catalogue.rules if r.category == category and r.id in chosen]
        return get(answers, key)

    def applies(self, question: Question, answers: dict) -> bool:
        for condition in question.when:
            value = self.current(condition.key, answers)
            held = value if isinstance(value, list) else [value]
            if condition.values.intersection(held):
                return True
        return not question.when

    # ── answers ──────────────────────────────────────────────────────────────────
    def check(self, question: Question, raw: str, answers: dict) -> tuple[Any, str | None]:
        """A typed, checked answer from the text typed for a question, or the reason it is not valid:
        the same checks in the terminal and in the browser."""
        lang = lang_of(answers)
        raw = raw.strip()
        if not raw and question.optional:
            return None, None
        value: Any = raw
        if question.type == "date":
            value = parse_date(raw, self.today)
            if value is None:
                return None, text(lang, "errors.date_unreadable")
        elif question.type == "int":
            try:
                value = int(raw)
            except ValueError:
                return None, text(lang, "errors.int_parsing")
        elif question.type == "select":
            if raw not in {str(v) for v, _ in question.choices}:
                return None, text(lang, "errors.unknown_choice", expected=", ".join(str(v) for v, _ in question.choices))
        problem = field_problem(self.model, question.schema_key or question.key, value, lang)
        if problem is None and question.key == "group.dissolve_on":
            problem = self._dissolve_problem(value, answers, lang)
        if problem is None and (question.schema_key or question.key) in PERSON_NAMES and holds_more_than_a_name(value):
            problem = text(lang, "errors.name_alone")
        return value, problem

    def _dissolve_problem(self, value: date, answers: dict, lang: str) -> str | None:
        created = get(answers, "group.created", self.today)
        if value < self.today:
            return text(lang, "errors.date_past", date=long_date(value, lang))
        if isinstance(created, date) and value <= created:
            return text(lang, "errors.date_not_after_created", created=long_date(created, lang))
        return None

    def apply(self, question: Question, value, answers: dict, shown: Shown | None = None) -> None:
        """Keep an answer in the answers tree, the one way both views keep it."""
        shown_given = shown is not None
        shown = shown or Shown(lang_of(answers), kind_of(answers))
        key = question.key
        if (key == "group.profile" and shown_given and shown.profile is None
                and (value or DEFAULT_PROFILE) != get(answers, key, DEFAULT_PROFILE)):
            self._stale_ticks = True
        if key == "successor":
            if value:
                answers.setdefault("successor", {})
            else:
                answers.pop("successor", None)
        elif question.type == "checkbox":
            if not self._stale_ticks:
                self._store_ticks(key.removeprefix("rules."), value, answers, preset_of(answers, shown))
        elif key.startswith("rules.params."):
            name = key.removeprefix("rules.params.")
            default = self.catalogue.param_defaults(preset_of(answers, shown))[name]
            put(answers, key, None if value == default else value)
        elif question.type in ("members", "custom_rules"):
            put(answers, key, value or None)
        elif question.implied is not None and value == question.implied:
            put(answers, key, None)
        else:
            put(answers, key, value)

    def _store_ticks(self, category: str, ticked: list[str], answers: dict, shown: Preset) -> None:
        """A category's ticks as on/off lists relative to the kind's defaults; ticks left as the kind
        they were shown for had them follow the new kind's defaults."""
        # A rule the page did not show (another profile's, not switched on) keeps its state.
        shown_rules = {r.id for r in self.catalogue.offered(shown, [*get(answers, "rules.on", []), *ticked])}
        in_category = {r.id: r for r in self.catalogue.rules if r.category == category and r.id in shown_rules}
        on = [i for i in get(answers, "rules.on", []) if i not in in_category]
        off = [i for i in get(answers, "rules.off", []) if i not in in_category]
        on += [i for i, r in in_category.items() if i in ticked and not self.catalogue.on_by_default(r, shown)]
        off += [i for i, r in in_category.items() if i not in ticked and self.catalogue.on_by_default(r, shown)]
        put(answers, "rules.on", on or None)
        put(answers, "rules.off", off or None)

    def cleanup(self, answers: dict) -> None:
        """Answers that no longer apply are dropped: the other kind's lifetime answer, the successor's
        fields without a successor, an empty rules table."""
        if kind_of(answers) == "standing":
            put(answers, "group.dissolve_on", None)
        else:
            put(answers, "group.review_every_months", None)
        if get(answers, "group.records") == {}:
            put(answers, "group.records", None)
        if isinstance(answers.get("rules"), dict):
            for key in [k for k, v in answers["rules"].items() if v in ({}, [], None)]:
                del answers["rules"][key]
            if not answers["rules"]:
                del answers["rules"]

    def walk(self, section: str, answers: dict, answer_for: Callable[[Question], Any],
             shown: Shown | None = None) -> None:
        """Ask each question of the section that applies, in order, applying each answer before the
        next is chosen; then clean up what no longer applies."""
        asked: set[str] = set()
        questions = self.questions(section, answers)
        while True:
            pending = next((q for q in questions if q.key not in asked and self.applies(q, answers)), None)
            if pending is None:
                break
            asked.add(pending.key)
            value = answer_for(pending)
            if value is not KEEP:
                self.apply(pending, value, answers, shown)
                if self._shapes(pending.key, questions):
                    questions = self.questions(section, answers)
        self.cleanup(answers)

    # Answers that change which questions there are, or what they offer: the language, the kind,
    # the profile, the people; and any answer another question's `when` names.
    SHAPING = frozenset({"lang", "group.kind", "group.profile", "group.created", "group.dissolve_on", "group.platform",
                         "group.audience", "group.organisations", "owner.name", "members"})  # the usual records and place

    def _shapes(self, key: str, questions: list[Question]) -> bool:
        """Whether the section's questions must be drawn again after this answer (drawing the rules
        section after every answer made a web preview ten times dearer)."""
        return key in self.SHAPING or any(condition.key == key for q in questions for condition in q.when)

    def validate(self, answers: dict) -> AnswersBase:
        """The whole answers as the model, with the unit applied: InputError names every problem."""
        return validate_for(answers, self.unit)
