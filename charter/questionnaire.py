"""`charter new` in a terminal: ask the questions, keep a draft, review, write the charter."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import questionary
from questionary import Choice
from rich.console import Console
from rich.table import Table

from .answers import answers_model, answers_to_data, validate_answers
from .context import person_label
from .dates import long_date, weekday
from .documents import write_charter
from .drafts import load_draft, remove_draft, save_draft
from .errors import InputError
from .i18n import messages, text
from .members_csv import read_members
from .output import ANSWERS_FILE, archive_previous, group_folder
from .questions import (SECTIONS, STEP_COUNT, Question, check_answer, chosen_rule_ids, lang_of, lifetime_cleanup,
                        member_fields, parse_answer)
from .tree import get, merged, put
from .unit import Unit, catalogue_of, load_group, load_unit


class Interrupted(Exception):
    """Ctrl-C or a closed terminal; the draft has been saved."""

    def __init__(self, path: Path):
        self.path = path
        super().__init__(str(path))


class Questionnaire:
    def __init__(self, answers: dict, unit: Unit | None, today: date, out_dir: Path, echo=print):
        self.answers = answers
        self.unit = unit
        self.catalogue = catalogue_of(unit)
        self.model = answers_model(self.catalogue)
        self.today = today
        self.out_dir = out_dir
        self.echo = echo
        self.step = 0

    # ── prompts ────────────────────────────────────────────────────────────────
    @property
    def lang(self) -> str:
        return lang_of(self.answers)

    def _prefix(self) -> str:
        titles = [s for s, _ in SECTIONS] + ["review", "result"]
        return f"[{self.step + 1}/{STEP_COUNT} {messages(self.lang)['steps'][titles[self.step]]}]"

    def _validator(self, question: Question):
        def validate(raw: str):
            _, problem = check_answer(question, raw, self.answers, self.model, self.today)
            return True if problem is None else problem
        return validate

    def prompt(self, question: Question):
        """Ask one question; returns the typed answer. Ctrl-C raises KeyboardInterrupt."""
        message = f"{self._prefix()} {question.label}"
        if question.type == "select":
            choices = [Choice(label, value=value) for value, label in question.choices]
            return questionary.select(message, choices=choices, default=question.default).unsafe_ask()
        if question.type == "checkbox":
            choices = [Choice(label, value=value, checked=value in question.default)
                       for value, label in question.choices]
            return questionary.checkbox(message, choices=choices).unsafe_ask()
        if question.type == "confirm":
            return questionary.confirm(message, default=bool(question.default)).unsafe_ask()
        if question.examples and not question.default:
            own = text(self.lang, "ask.purpose_own")
            picked = questionary.select(f"{self._prefix()} {text(self.lang, 'ask.purpose_pick')}",
                                        choices=[*question.examples, own]).unsafe_ask()
            question = Question(**{**question.__dict__, "default": "" if picked == own else picked})
        default = question.default
        if isinstance(default, date):
            default = default.isoformat()
        raw = questionary.text(message, default="" if default is None else str(default),
                               instruction=question.hint or None, validate=self._validator(question)).unsafe_ask()
        if not raw.strip() and question.optional:
            return None
        value, _ = parse_answer(question, raw, self.answers, self.today)
        if question.type == "date":
            self.echo(text(self.lang, "ask.date_understood", date=long_date(value, self.lang),
                           weekday=weekday(value, self.lang)))
        return value

    def ask(self, question: Question) -> None:
        if self.unit and self.unit.is_locked(question.key):
            return  # the unit decides this one for every group
        if question.type == "members":
            self.ask_members()
            return
        value = self.prompt(question)
        if question.store:
            question.store(self.answers, value)
        else:
            put(self.answers, question.key, value)

    # ── members ────────────────────────────────────────────────────────────────
    def ask_members(self) -> None:
        lang, members = self.lang, self.answers.get("members", [])
        choices = [("one", text(lang, "ask.members_one")), ("csv", text(lang, "ask.members_csv"))]
        if members:
            choices.insert(0, ("keep", text(lang, "ask.members_keep", count=len(members))))
        choices.append(("none", text(lang, "ask.members_none")))
        how = self.prompt(Question("members", "select", text(lang, "ask.members_how"), choices=choices,
                                   default=choices[0][0]))
        if how == "none":
            self.answers.pop("members", None)
        elif how == "one":
            self.answers["members"] = members + self.ask_members_one_by_one()
        elif how == "csv":
            self.answers["members"] = members + self.ask_members_csv()

    def ask_members_one_by_one(self) -> list[dict]:
        added = []
        while True:
            member = {}
            for question in member_fields(self.answers):
                value = self.prompt(question)
                if question.key == "name" and value is None:
                    return added
                if value is not None:
                    member[question.key] = value
            added.append(member)

    def ask_members_csv(self) -> list[dict]:
        lang = self.lang
        while True:
            raw = self.prompt(Question("csv", "text", text(lang, "ask.csv_path"), hint=text(lang, "ask.csv_example"),
                                       optional=True, schema=False))
            if raw is None:
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

    # ── sections, review, result ───────────────────────────────────────────────
    def ask_section(self, index: int) -> None:
        self.step = index
        for make_questions in SECTIONS[index][1]:
            for question in make_questions(self.answers, self.catalogue, self.today):
                self.ask(question)
        lifetime_cleanup(self.answers)

    def summary(self) -> list[tuple[str, str]]:
        lang, a, t = self.lang, self.answers, messages(self.lang)
        ask = t["ask"]
        group = a.get("group", {})
        rows = [(ask["group_name"], group.get("name", "")), (t["purpose"], group.get("purpose", "")),
                (t["platform"], t["platforms"].get(group.get("platform"), "")),
                (t["kind"], t["kinds"].get(group.get("kind"), "")),
                (t["effective"], long_date(group["created"], lang) if "created" in group else "")]
        if group.get("dissolve_on"):
            rows.append((t["dissolve_on"], long_date(group["dissolve_on"], lang)))
        if group.get("review_every_months"):
            rows.append((t["review"], str(group["review_every_months"])))
        model_people = self.model.model_fields["owner"].annotation
        for key, label in (("owner", t["owner"]), ("successor", t["successor"])):
            person = a.get(key)
            rows.append((label, person_label(model_people.model_validate(person), lang)
                         if person and person.get("name") else ask["none"]))
        rows.append((ask["summary_members"], str(len(a.get("members", [])))))
        rows.append((ask["summary_roster"], ask["yes"] if a.get("show_roster") else ask["no"]))
        rows.append((ask["summary_rules"], ask["summary_rules_value"].format(
            count=len(chosen_rule_ids(a, self.catalogue)), off=len(get(a, "rules.off", [])),
            custom=len(get(a, "rules.custom", [])))))
        return rows

    def show_summary(self) -> None:
        # rich measures CJK characters as two columns, so the table stays aligned.
        table = Table(show_header=False, box=None, padding=(0, 2))
        for label, value in self.summary():
            table.add_row(label, value)
        console = Console(file=io.StringIO(), width=100, color_system=None)
        console.print(table)
        self.echo(console.file.getvalue())

    def review(self) -> str:
        """Show every answer; returns write, quit, or the id of the section to edit."""
        self.step = len(SECTIONS)
        lang = self.lang
        self.show_summary()
        action = self.prompt(Question("review", "select", text(lang, "ask.review_action"), choices=[
            ("write", text(lang, "ask.review_write")), ("edit", text(lang, "ask.review_edit")),
            ("quit", text(lang, "ask.review_quit"))], default="write"))
        if action != "edit":
            return action
        steps = messages(lang)["steps"]
        return self.prompt(Question("edit", "select", text(lang, "ask.edit_which"),
                                    choices=[(s, steps[s]) for s, _ in SECTIONS], default="group"))

    def write(self) -> list[Path] | None:
        """Write the charter; an existing one is kept (another name, or a new version)."""
        self.step = len(SECTIONS) + 1
        lang = self.lang
        try:
            model = validate_answers(self.unit.apply(self.answers) if self.unit else self.answers, self.catalogue)
        except InputError as error:
            self.echo(error.report())
            return None
        while (folder := group_folder(self.out_dir, model.group.name)) and (folder / ANSWERS_FILE).exists():
            self.echo(text(lang, "ask.folder_exists", path=folder))
            choice = self.prompt(Question("exists", "select", text(lang, "ask.review_action"), choices=[
                ("rename", text(lang, "ask.exists_rename")), ("version", text(lang, "ask.exists_version")),
                ("quit", text(lang, "ask.review_quit"))], default="rename"))
            if choice == "quit":
                return None
            if choice == "version":
                archive_previous(folder)
                break
            self.ask(Question("group.name", "text", text(lang, "ask.group_name"), default=model.group.name))
            model = model.model_copy(update={"group": model.group.model_copy(update={"name": self.answers["group"]["name"]})})
        written = write_charter(model, self.out_dir, unit=self.unit, folder=folder)
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
                index = [s for s, _ in SECTIONS].index(action)
                self.ask_section(index)
                save_draft(self.answers, len(SECTIONS))
        except (KeyboardInterrupt, EOFError):
            path = save_draft(self.answers, min(self.step, len(SECTIONS)))
            self.echo("\n" + text(self.lang, "ask.draft_saved", path=path))
            raise Interrupted(path) from None


def starting_answers(from_file: Path | None, unit: Unit | None, today: date) -> tuple[dict, Unit | None]:
    """Answers to start from, and their unit: the unit's defaults, or another group's file
    (with the unit it names) made current: created today, no dissolution date already past."""
    if from_file is None:
        return (merged({"lang": unit.info.lang}, unit.defaults) if unit else {}), unit
    model, unit, _ = load_group(from_file, unit.root if unit else None)
    answers = answers_to_data(model)
    answers["group"]["created"] = today
    if answers["group"].get("dissolve_on") and answers["group"]["dissolve_on"] <= today:
        del answers["group"]["dissolve_on"]
    return answers, unit


def new_charter(out_dir: Path, resume: bool = False, from_file: Path | None = None, unit_dir: Path | None = None,
                today: date | None = None, echo=print) -> list[Path] | None:
    """The whole `charter new`: offer or resume a draft, ask, review, write. Returns the files written."""
    unit = load_unit(unit_dir) if unit_dir else None
    today = today or date.today()
    draft = load_draft() if from_file is None else None
    answers, unit = starting_answers(from_file, unit, today)
    start = 0
    if draft and not resume:
        lang = lang_of(draft.answers)
        resume = questionary.confirm(text(lang, "ask.draft_found", saved=draft.saved.strftime("%Y-%m-%d %H:%M"),
                                          name=get(draft.answers, "group.name", "…")), default=True).unsafe_ask()
    if resume:
        if draft is None:
            echo(text(lang_of(answers), "ask.no_draft"))
        else:
            start, answers = draft.step, draft.answers
            # the draft remembers its unit (as an absolute path), so a resume needs no --unit
            if unit is None and answers.get("unit"):
                unit = load_unit(Path(answers["unit"]))
    if unit is not None:
        answers["unit"] = str(unit.root)
    return Questionnaire(answers, unit, today, out_dir, echo).run(start)
