"""`charter new` in a terminal: a view over the questions engine, with a draft, a review and the write."""

from __future__ import annotations

import copy
import io
from datetime import date
from pathlib import Path

import questionary
from questionary import Choice
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..core.clock import today as clock_today
from ..core.dates import long_date, weekday
from ..core.dotted import get, merged
from ..core.errors import InputError
from ..core.formats import ANSWERS_FILE
from ..core.i18n import messages, text
from ..pipeline import Placement, write_charter
from ..register.folders import group_folder
from ..render.context import person_label
from ..schema.answers import answers_from
from ..schema.group import load_group
from ..schema.unit import Unit, load_unit
from . import prompts
from .drafts import load_draft, remove_draft, save_draft
from .question import Question, lang_of
from .questions import SECTIONS, STEP_COUNT, Engine
from .rewording import catalogue_texts, locked, reword, rewordings
from .spreadsheets import read_members


class Interrupted(Exception):
    """Ctrl-C or a closed terminal; the draft has been saved."""

    def __init__(self, path: Path):
        self.path = path
        super().__init__(str(path))


class Questionnaire:
    def __init__(self, answers: dict, unit: Unit | None, today: date, out_dir: Path, echo=print):
        self.answers = answers
        self.unit = unit
        self.engine = Engine(unit, today)
        self.out_dir = out_dir
        self.echo = echo
        self.step = 0

    # ── prompts ────────────────────────────────────────────────────────────────
    @property
    def lang(self) -> str:
        return lang_of(self.answers)

    def _prefix(self) -> str:
        titles = [*SECTIONS, "review", "result"]
        return f"[{self.step + 1}/{STEP_COUNT} {messages(self.lang)['steps'][titles[self.step]]}]"

    def _validator(self, question: Question):
        def validate(raw: str):
            _, problem = self.engine.check(question, raw, self.answers)
            return True if problem is None else problem
        return validate

    def _choose(self, key: str, label: str, choices: list[tuple], default=None):
        return self.prompt(Question(key, "select", label, choices=choices, default=default or choices[0][0]))

    def prompt(self, question: Question):
        """Ask one question; returns the typed answer. Ctrl-C raises KeyboardInterrupt."""
        message, lang = f"{self._prefix()} {question.label}", self.lang
        if question.type == "select":
            choices = [Choice(label, value=value) for value, label in question.choices]
            return prompts.select(lang, message, choices, question.default)
        if question.type == "checkbox":
            choices = [Choice(label, value=value, checked=value in question.default)
                       for value, label in question.choices]
            return prompts.checkbox(lang, message, choices, self.echo)
        if question.type == "confirm":
            return prompts.confirm(lang, message, bool(question.default), self.echo)
        default = question.default
        if question.examples and not default:
            own = text(lang, "ask.purpose_own")
            picked = prompts.select(lang, f"{self._prefix()} {text(lang, 'ask.purpose_pick')}", [*question.examples, own])
            default = "" if picked == own else picked
        if isinstance(default, date):
            default = default.isoformat()
        raw = questionary.text(message, default="" if default is None else str(default),
                               instruction=question.hint or None, validate=self._validator(question)).unsafe_ask()
        value, _ = self.engine.check(question, raw, self.answers)
        if question.type == "date":
            self.echo(text(self.lang, "ask.date_understood", date=long_date(value, self.lang),
                           weekday=weekday(value, self.lang)))
        return value

    def answer_for(self, question: Question):
        if question.type == "members":
            return self.ask_members()
        if question.type == "custom_rules":
            return self.ask_custom_rules(question)
        return self.prompt(question)

    # ── lists: members and rules of one's own ────────────────────────────────────
    def ask_members(self) -> list[dict]:
        lang, members = self.lang, self.answers.get("members", [])
        choices = [("one", text(lang, "ask.members_one")), ("csv", text(lang, "ask.members_csv"))]
        if members:
            choices.insert(0, ("keep", text(lang, "ask.members_keep", count=len(members))))
        choices.append(("none", text(lang, "ask.members_none")))
        how = self._choose("members", text(lang, "ask.members_how"), choices)
        if how == "none":
            return []
        if how == "one":
            return members + self.ask_members_one_by_one()
        if how == "csv":
            return members + self.ask_members_csv()
        return members

    def ask_members_one_by_one(self) -> list[dict]:
        """Member after member, numbered; the successor, typed already, is offered as the first."""
        lang, roles = self.lang, messages(self.lang)["roles"]
        before = self.answers.get("members", [])
        successor = self.answers.get("successor") or {}
        offered = successor if successor.get("name") and all(m.get("name") != successor["name"] for m in before) else {}
        added: list[dict] = []
        while True:
            number = len(before) + len(added) + 1
            member = {}
            for question in self._member_questions(lang, roles, number, offered if not added else {}):
                value = self.prompt(question)
                if question.key == "name" and value is None:
                    return added
                if value is not None:
                    member[question.key] = value
            added.append(member)
            self.echo(text(lang, "ask.member_added", count=len(before) + len(added)))

    @staticmethod
    def _member_questions(lang: str, roles: dict, number: int, given: dict) -> list[Question]:
        return [
            Question("name", "text", text(lang, "ask.member_name", number=number), hint=text(lang, "ask.person_example"),
                     schema_key="members.name", optional=True, default=given.get("name")),
            Question("unit", "text", text(lang, "ask.member_unit"), hint=text(lang, "ask.unit_example"),
                     schema_key="members.unit", optional=True, default=given.get("unit")),
            Question("title", "text", text(lang, "ask.member_title"), hint=text(lang, "ask.title_example"),
                     schema_key="members.title", optional=True, default=given.get("title")),
            Question("role", "select", text(lang, "ask.member_role"),
                     choices=[(r, roles[r]) for r in ("member", "admin", "guest")], default="member"),
        ]

    def ask_members_csv(self) -> list[dict]:
        lang = self.lang
        while True:
            raw = questionary.text(f"{self._prefix()} {text(lang, 'ask.csv_path')}",
                                   instruction=text(lang, "ask.csv_example")).unsafe_ask().strip()
            if not raw:
                return []
            members, problems = read_members(Path(raw).expanduser(), lang)
            if not problems:
                self.echo(text(lang, "ask.csv_imported", count=len(members)))
                return [m.model_dump(exclude_defaults=True) for m in members]
            self.echo(text(lang, "ask.csv_bad_rows"))
            for problem in problems:
                self.echo(f"  {problem}")
            if members and self.prompt(Question("csv", "confirm", text(lang, "ask.csv_import_good",
                                                                         count=len(members)))):
                self.echo(text(lang, "ask.csv_imported", count=len(members)))
                return [m.model_dump(exclude_defaults=True) for m in members]

    def ask_custom_rules(self, question: Question) -> list[dict]:
        lang = self.lang
        rules = list(question.default)
        if rules and not self.prompt(Question("keep", "confirm", text(lang, "ask.custom_keep", count=len(rules)),
                                              default=True)):
            rules = []
        while self.prompt(Question("more", "confirm", question.label, default=False)):
            body = self.prompt(Question("rules.custom.text", "text", text(lang, "ask.custom_text"), hint=question.hint,
                                        schema_key="rules.custom.text"))
            # posting is where most rules of a group's own go (a rota, a report's form), not enforcement
            category = self._choose("rules.custom.category", text(lang, "ask.custom_category"), question.choices,
                                    "posting" if any(c == "posting" for c, _ in question.choices) else None)
            rules.append({"category": category, "text": body})
        return rules

    # ── sections, review, result ───────────────────────────────────────────────
    def ask_section(self, index: int) -> None:
        self.step = index
        self.engine.walk(SECTIONS[index], self.answers, self.answer_for)

    def summary(self) -> list[tuple[str, str]]:
        lang, a, t = self.lang, self.answers, messages(self.lang)
        ask = t["ask"]
        group = a.get("group", {})
        rows = [(ask["group_name"], group.get("name", "")), (t["purpose"], group.get("purpose", "")),
                (t["platform"], t["platforms"].get(group.get("platform"), "")),
                (t["kind"], self.engine.catalogue.profile(group.get("profile", "")).label(lang) + " · "
                 + t["kinds"].get(group.get("kind"), "")),
                (t["effective"], long_date(group["created"], lang) if "created" in group else "")]
        if group.get("dissolve_on"):
            rows.append((t["dissolve_on"], long_date(group["dissolve_on"], lang)))
        if group.get("review_every_months"):
            rows.append((t["review"], str(group["review_every_months"])))
        person = self.engine.model.model_fields["owner"].annotation
        for key, label in (("owner", t["owner"]), ("successor", t["successor"])):
            given = a.get(key)
            rows.append((label, person_label(person.model_validate(given), lang)
                         if given and given.get("name") else ask["none"]))
        rows.append((ask["summary_members"], str(len(a.get("members", [])))))
        rows.append((ask["summary_roster"], ask["yes"] if a.get("show_roster") else ask["no"]))
        rows.append((ask["summary_rules"], ask["summary_rules_value"].format(
            count=len(self.engine.chosen_rule_ids(a)), off=len(get(a, "rules.off", [])),
            custom=len(get(a, "rules.custom", [])))))
        if rewordings(a):
            rows.append((ask["summary_reworded"], str(len(rewordings(a)))))
        return rows

    def show_summary(self) -> None:
        # rich measures CJK characters as two columns, so the table stays aligned.
        table = Table(show_header=False, box=None, padding=(0, 2))
        for label, value in self.summary():
            table.add_row(Text(label), Text(value))  # as typed: "[/x]" is a name, not rich markup
        console = Console(file=io.StringIO(), width=100, color_system=None)
        console.print(table)
        self.echo(console.file.getvalue())

    def review(self) -> str:
        """Show every answer; returns write, quit, or the id of the section to edit."""
        self.step = len(SECTIONS)
        lang = self.lang
        self.show_summary()
        action = self._choose("review", text(lang, "ask.review_action"), [
            ("write", text(lang, "ask.review_write")), ("edit", text(lang, "ask.review_edit")),
            ("reword", text(lang, "ask.review_reword")), ("quit", text(lang, "ask.review_quit"))])
        if action != "edit":
            return action
        steps = messages(lang)["steps"]
        return self._choose("edit", text(lang, "ask.edit_which"), [(s, steps[s]) for s in SECTIONS], "group")

    def reword_rule(self) -> None:
        """One rule's wording for this group: its text as it stands, to edit; cleared, the catalogue's again."""
        lang, engine = self.lang, self.engine
        catalogue = catalogue_texts(engine, self.answers, engine.chosen_rule_ids(self.answers))
        own = rewordings(self.answers)
        unit = engine.unit.info.name if engine.unit else ""
        choices = [Choice(_shortened(own.get(i, wording)), value=i,
                          disabled=text(lang, "ask.reword_locked", unit=unit) if locked(engine, i) else None)
                   for i, wording in catalogue.items()]
        picked = prompts.select(lang, f"{self._prefix()} {text(lang, 'ask.reword_which')}",
                                [*choices, Choice(text(lang, "ask.reword_back"), value="")])
        if not picked:
            return

        def validate(raw: str):
            problem = reword(engine, copy.deepcopy(self.answers), picked, raw, catalogue[picked])
            return True if problem is None else problem
        raw = questionary.text(f"{self._prefix()} {text(lang, 'ask.reword_text')}", default=own.get(picked, catalogue[picked]),
                               instruction=text(lang, "ask.reword_hint"), validate=validate).unsafe_ask()
        reword(engine, self.answers, picked, raw, catalogue[picked])

    def jump_to_review(self) -> bool:
        """Starting from another group's answers, most of them stand: offer the review at once."""
        self.step, lang = len(SECTIONS), self.lang
        return self._choose("from", text(lang, "ask.from_how"), [
            ("review", text(lang, "ask.from_review")), ("walk", text(lang, "ask.from_walk"))]) == "review"

    def write(self) -> list[Path] | None:
        """Write the charter; an existing one is kept (another name, or a new version)."""
        self.step = len(SECTIONS) + 1
        lang = self.lang
        try:
            model = self.engine.validate(self.answers)
        except InputError as error:
            self.echo(error.report())
            return None
        how = Placement.NEW
        while (folder := group_folder(self.out_dir, model.group.name)) and (folder / ANSWERS_FILE).exists():
            self.echo(text(lang, "ask.folder_exists", path=folder))
            choice = self._choose("exists", text(lang, "ask.review_action"), [
                ("rename", text(lang, "ask.exists_rename")), ("version", text(lang, "ask.exists_version")),
                ("quit", text(lang, "ask.review_quit"))])
            if choice == "quit":
                return None
            if choice == "version":
                how = Placement.VERSION
                break
            name_question = next(q for q in self.engine.questions("group", self.answers) if q.key == "group.name")
            self.engine.apply(name_question, self.prompt(name_question), self.answers)
            model = self.engine.validate(self.answers)
        written = write_charter(model, self.unit, self.out_dir, how, folder)
        self.echo(text(lang, "ask.written"))
        for path in written:
            self.echo(f"  {path}")
        self.echo(text(lang, "ask.next_steps"))
        return written

    def run(self, start: int = 0) -> list[Path] | None:
        """Ask from section `start` on, then review until written or quit. Saves a draft after each step."""
        try:
            for index in range(start, len(SECTIONS)):
                self.ask_section(index)
                save_draft(self.answers, index + 1)
            while True:
                action = self.review()
                if action == "quit":
                    self.echo(text(self.lang, "ask.draft_saved", path=save_draft(self.answers, len(SECTIONS))))
                    return None
                if action == "write":
                    written = self.write()
                    if written is not None:
                        remove_draft()
                        return written
                    self.echo(text(self.lang, "ask.draft_saved", path=save_draft(self.answers, len(SECTIONS))))
                    return None
                if action == "reword":
                    self.reword_rule()
                else:
                    self.ask_section(SECTIONS.index(action))
                save_draft(self.answers, len(SECTIONS))
        except (KeyboardInterrupt, EOFError):
            path = save_draft(self.answers, min(self.step, len(SECTIONS)))
            self.echo("\n" + text(self.lang, "ask.draft_saved", path=path))
            raise Interrupted(path) from None


def _shortened(wording: str, length: int = 60) -> str:
    """A rule's text as one line of a list to pick from."""
    line = " ".join(wording.split())
    return line if len(line) <= length else line[:length - 1] + "…"


def starting_answers(from_file: Path | None, unit: Unit | None, today: date) -> tuple[dict, Unit | None]:
    """Answers to start from, and their unit: the unit's defaults, or another group's file
    (with the unit it names) made current: created today, no history, no dissolution date already past."""
    if from_file is None:
        return (merged({"lang": unit.info.lang}, unit.defaults) if unit else {}), unit
    model, unit, _ = load_group(from_file, unit.root if unit else None)
    return answers_from(model, today), unit


def new_charter(out_dir: Path, resume: bool = False, from_file: Path | None = None, unit_dir: Path | None = None,
                today: date | None = None, echo=print) -> list[Path] | None:
    """The whole `charter new`: offer or resume a draft, ask, review, write. Returns the files written."""
    unit = load_unit(unit_dir) if unit_dir else None
    today = today or clock_today()
    draft = load_draft() if from_file is None else None
    answers, unit = starting_answers(from_file, unit, today)
    start = 0
    if draft and not resume:
        lang = lang_of(draft.answers)
        resume = prompts.confirm(lang, text(lang, "ask.draft_found", saved=draft.saved.strftime("%Y-%m-%d %H:%M"),
                                            name=get(draft.answers, "group.name", "…")), True, echo)
    if resume:
        if draft is None:
            echo(text(lang_of(answers), "ask.no_draft"))
        else:
            start, answers = draft.step, draft.answers
            unit = unit or draft_unit(answers)
    if unit is not None:
        answers["unit"] = str(unit.root)  # the draft remembers its unit
    questionnaire = Questionnaire(answers, unit, today, out_dir, echo)
    if from_file is not None and questionnaire.jump_to_review():
        start = len(SECTIONS)
    return questionnaire.run(start)


def draft_unit(answers: dict) -> Unit | None:
    """The unit a draft was started with (kept as an absolute path), so a resume needs no --unit."""
    folder = answers.get("unit")
    return load_unit(Path(folder)) if folder else None
