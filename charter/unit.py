"""A unit's folder: its letterhead, default and locked answers, extra rules and templates.

    unit.toml    [unit] name, short name, contact, logo, version, language;
                 [defaults] and [locked] answers; [params] and [[rules]] added to the
                 catalogue (a rule with a built-in id replaces it); disabled built-in rules.
    templates/   overrides; a template extends "builtin/<name>" and replaces blocks.
    assets/      the logo, fonts, extra CSS; the only files a PDF render may read.
"""

from __future__ import annotations

import base64
import difflib
import mimetypes
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from .answers import (AnswersBase, Lang, StrictModel, answers_model, field_problem, problems_from, read_answers_file,
                      validate_answers)
from .catalogue import Catalogue, Param, Rule, builtin_catalogue
from .errors import InputError, Problem, input_error
from .i18n import environment_lang, text
from .tomlmap import key_lines, line_of
from .tree import MISSING, get, leaves, merged, put

UNIT_FILE = "unit.toml"


class UnitInfo(StrictModel):
    name: str
    short_name: str = ""
    contact: str = ""
    logo: str | None = None  # a file under assets/, relative to the unit folder
    version: str = "1"
    lang: Lang = "zh"


class UnitFile(StrictModel):
    unit: UnitInfo
    defaults: dict[str, Any] = {}
    locked: dict[str, Any] = {}
    params: dict[str, Param] = {}
    rules: list[Rule] = []
    disabled: list[str] = []


@dataclass(frozen=True)
class Unit:
    root: Path
    info: UnitInfo
    defaults: dict
    locked: dict
    catalogue: Catalogue

    @property
    def templates(self) -> Path | None:
        folder = self.root / "templates"
        return folder if folder.is_dir() else None

    @property
    def assets(self) -> Path:
        return self.root / "assets"

    def is_locked(self, path: str) -> bool:
        return path in leaves(self.locked)

    def apply(self, data: dict, lines: dict | None = None, source: str = "") -> dict:
        """The answers with the unit's defaults under them and its locked answers enforced."""
        lang = data.get("lang") if data.get("lang") in ("zh", "en") else self.info.lang
        problems = []
        for path, value in leaves(self.locked).items():
            given = get(data, path, MISSING)
            if given is not MISSING and given != value:
                loc = tuple(path.split("."))
                problems.append(Problem(path, text(lang, "errors.locked", unit=self.info.name, value=value),
                                        line_of(lines or {}, loc)))
        if problems:
            raise InputError(problems, source, lang)
        result = merged(merged({"lang": self.info.lang}, self.defaults), data)
        for path, value in leaves(self.locked).items():
            put(result, path, value)
        return result


def _unit_catalogue(unit_file: UnitFile) -> Catalogue:
    builtin = builtin_catalogue()
    replacing = {rule.id: rule for rule in unit_file.rules}
    rules = [replacing.pop(r.id, r) for r in builtin.rules if r.id not in unit_file.disabled]
    rules += [r for r in unit_file.rules if r.id in replacing]
    return Catalogue(categories=builtin.categories, params={**builtin.params, **unit_file.params}, rules=tuple(rules))


def _check_answer_tree(tree: dict, table: str, catalogue: Catalogue, lines: dict, lang: str) -> list[Problem]:
    """Every key of [defaults] or [locked] must be an answers-file field with a valid value."""
    model = answers_model(catalogue)
    problems = []
    for path, value in leaves(tree).items():
        loc = (table, *path.split("."))
        try:
            problem = field_problem(model, path, value, lang)
        except (KeyError, StopIteration):
            known = _known_paths(model)
            close = difflib.get_close_matches(path, known, n=1)
            problem = text(lang, "errors.extra_forbidden") + (
                text(lang, "errors.did_you_mean", suggestion=close[0]) if close else "")
        if problem:
            problems.append(Problem(".".join(map(str, loc)), problem, line_of(lines, loc)))
    return problems


def _known_paths(model: type[BaseModel], prefix: str = "") -> list[str]:
    paths = []
    for name, field in model.model_fields.items():
        inner = [a for a in getattr(field.annotation, "__args__", (field.annotation,))
                 if isinstance(a, type) and issubclass(a, BaseModel)]
        if inner and not str(field.annotation).startswith("list"):
            paths += _known_paths(inner[0], f"{prefix}{name}.")
        else:
            paths.append(prefix + name)
    return paths


def catalogue_of(unit: Unit | None) -> Catalogue:
    """The rules a group draws on: its unit's catalogue, or the built-in one."""
    return unit.catalogue if unit else builtin_catalogue()


def asset_file(unit_root: Path, relative: str) -> Path | None:
    """The file under the unit's assets/ that `relative` (to the unit folder) names; None when it
    leaves that folder (.., an absolute path, a link pointing out) or is not a file."""
    if not relative or Path(relative).is_absolute():
        return None
    target = (unit_root / relative).resolve()
    assets = (unit_root / "assets").resolve()
    return target if target.is_relative_to(assets) and target.is_file() else None


def load_unit(folder: Path) -> Unit:
    """A unit folder, validated; problems raise InputError naming the file, line and field."""
    folder = Path(folder)
    source = folder / UNIT_FILE
    lang = environment_lang()
    if not source.is_file():
        raise input_error(lang, "not_a_unit", path=str(folder))
    data, source_text = read_answers_file(source)
    lang = data.get("unit", {}).get("lang", lang) if isinstance(data.get("unit"), dict) else lang
    lang = lang if lang in ("zh", "en") else "zh"
    lines = key_lines(source_text)
    try:
        unit_file = UnitFile.model_validate(data)
    except ValidationError as error:
        raise InputError(problems_from(error, UnitFile, lines, lang), str(source), lang) from None
    catalogue = _unit_catalogue(unit_file)
    problems = []
    known = builtin_catalogue().rule_ids()
    for index, rule_id in enumerate(unit_file.disabled):
        if rule_id not in known:
            problems.append(Problem(f"disabled[{index}]", text(lang, "errors.unknown_rule", rule=rule_id),
                                    line_of(lines, ("disabled",))))
    for index, rule in enumerate(unit_file.rules):
        if rule.category not in catalogue.categories.order:
            problems.append(Problem(f"rules[{index}].category", text(
                lang, "errors.unknown_choice", expected=", ".join(catalogue.categories.order)),
                line_of(lines, ("rules", index, "category"))))
    problems += _check_answer_tree(unit_file.defaults, "defaults", catalogue, lines, lang)
    problems += _check_answer_tree(unit_file.locked, "locked", catalogue, lines, lang)
    logo = unit_file.unit.logo
    if logo and asset_file(folder, logo) is None:
        problems.append(Problem("unit.logo", text(lang, "errors.asset_outside", path=logo),
                                line_of(lines, ("unit", "logo"))))
    if problems:
        raise InputError(problems, str(source), lang)
    return Unit(folder.resolve(), unit_file.unit, unit_file.defaults, unit_file.locked, catalogue)


def load_group(path: Path, unit_dir: Path | None = None) -> tuple[AnswersBase, Unit | None, list[str]]:
    """An answers file with its unit (given, or named in the file relative to it) applied.

    Returns the validated answers, the unit, and notices for the user (the unit changed
    since the charter was last rendered).
    """
    data, source_text = read_answers_file(path)
    named = data.get("unit")
    if unit_dir is None and isinstance(named, str) and named:
        unit_dir = path.parent / named
    unit = load_unit(unit_dir) if unit_dir is not None else None
    notices = []
    if unit is not None:
        recorded = data.get("unit_version")
        lang = data.get("lang") if data.get("lang") in ("zh", "en") else unit.info.lang
        if recorded is not None and str(recorded) != unit.info.version:
            notices.append(text(lang, "ask.unit_changed", unit=unit.info.name, was=recorded, now=unit.info.version))
        data = unit.apply(data, key_lines(source_text), str(path))
    answers = validate_answers(data, catalogue_of(unit), str(path), source_text)
    return answers, unit, notices


def linked_asset(unit: Unit):
    """asset(path) for the PDF: the file's URL, which the PDF fetcher serves."""
    def asset(path: str) -> str:
        return _asset(unit, path).as_uri()
    return asset


def embedded_asset(unit: Unit | None):
    """asset(path) for the HTML file: the file itself as a data: URL, so the page stands alone."""
    def asset(path: str) -> str:
        if unit is None:
            return ""
        target = _asset(unit, path)
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        return f"data:{kind};base64,{base64.b64encode(target.read_bytes()).decode()}"
    return asset


_RULE_IMAGE = re.compile(r'(<img[^>]*\ssrc=")(assets/[^"]+)(")')


def embed_rule_images(html: str, unit: Unit | None) -> str:
    """Images given as src="assets/…" (all the Markdown sanitiser lets through) made part of the
    HTML file; one that is not a file of the unit's assets/ (or with no unit) loses its source,
    as the PDF fetcher would refuse it."""
    def embed(match: re.Match) -> str:
        found = unit is not None and asset_file(unit.root, match.group(2)) is not None
        return match.group(1) + (embedded_asset(unit)(match.group(2)) if found else "") + match.group(3)
    return _RULE_IMAGE.sub(embed, html)


def _asset(unit: Unit, path: str) -> Path:
    target = asset_file(unit.root, str(path))
    if target is None:
        raise input_error(unit.info.lang, "asset_outside", path=path)
    return target


def init_unit(folder: Path, lang: str) -> list[Path]:
    """A new unit folder from the commented skeleton; an existing unit.toml is never replaced."""
    if (folder / UNIT_FILE).exists():
        raise input_error(lang, "unit_exists", path=str(folder / UNIT_FILE))
    skeleton = resources.files("charter.data").joinpath("unit-skeleton").joinpath(lang)
    written = []
    for relative in (UNIT_FILE, "templates/charter.html.j2"):
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        source = skeleton
        for part in relative.split("/"):
            source = source.joinpath(part)
        target.write_text(source.read_text("utf-8"), encoding="utf-8")
        written.append(target)
    (folder / "assets").mkdir(exist_ok=True)
    return written


def check_unit(folder: Path) -> list[str]:
    """Everything wrong with a unit folder: its unit.toml, its templates (they must compile),
    and a render of every bundled example with it. Returns the problems' reports; [] is fine."""
    from .documents import render_documents
    from .examples import example_files
    from .render import environment

    try:
        unit = load_unit(folder)
    except InputError as error:
        return [error.report()]
    reports = []
    if unit.templates:
        env = environment(unit.templates)
        for template in sorted(unit.templates.rglob("*.j2")):
            name = template.relative_to(unit.templates).as_posix()
            try:
                env.get_template(name)
            except Exception as error:  # any template that does not load is a problem to report
                reports.append(f"{template}: {type(error).__name__}: {error}")
    for example in example_files():
        data, _ = read_answers_file(example)
        if data.get("unit"):
            continue  # an example of another unit
        for path in leaves(unit.locked):
            put(data, path, None)  # an example's own choice of a locked answer is not the unit's fault
        data.pop("unit", None)
        try:
            answers = validate_answers(unit.apply(data), unit.catalogue, str(example))
            render_documents(answers, unit=unit)
        except InputError as error:
            reports.append(f"{example.name}: {error.report()}")
    return reports

