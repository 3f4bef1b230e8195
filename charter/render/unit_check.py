"""`charter unit check`: everything wrong with a unit folder, found before any group uses it."""

from __future__ import annotations

from pathlib import Path

from jinja2 import TemplateError

from ..core.dotted import leaves, put
from ..core.errors import InputError
from ..core.formats import DEFAULT_FORMATS, FILE_NAMES
from ..core.i18n import text
from ..core.resources import example_files
from ..core.tomlfile import read_toml
from ..schema.catalogue import FACTS, names_in
from ..schema.group import validate_for
from ..schema.unit import Unit, load_unit
from .documents import render_documents
from .office import converted, pdf_pages
from .templates import TemplateProblem, environment, template_problem
from .word_template import word_template


def _rule_problems(unit: Unit) -> list[str]:
    """A rule text that names something neither a parameter nor a fact would print a blank."""
    known = set(unit.catalogue.params) | set(FACTS)
    reports = []
    for rule in unit.catalogue.rules:
        for lang in ("zh", "en"):
            for brief in (False, True):
                try:
                    source = rule.wording(lang, brief)
                    names = names_in(source)
                except (TemplateError, RecursionError) as error:
                    reports.append(f"rules.{rule.id}: {type(error).__name__}: {error}")
                    continue
                for name in sorted(names - known):
                    reports.append(f"rules.{rule.id} ({lang}): " + text(unit.info.lang, "errors.unknown_param",
                                                                         name=name))
    return sorted(set(reports))


def _template_problems(unit: Unit) -> list[str]:
    if not unit.templates:
        return []
    env, reports = environment(unit.templates), []
    for template in sorted(unit.templates.rglob("*.j2")):
        try:
            env.get_template(template.relative_to(unit.templates).as_posix())
        except Exception as error:  # a unit's template is data: whatever it breaks is its fault
            reports.append(f"{template}: {template_problem(unit.info.lang, error).report()}")
    return reports


def check_unit(folder: Path) -> list[str]:
    """Everything wrong with a unit folder: its unit.toml, its rule texts, its templates (they must
    compile), and a render of every bundled example with it; with a Word template, no example's
    charter.docx longer than its PDF. Returns the reports; [] is fine."""
    try:
        unit = load_unit(folder)
    except InputError as error:
        return [error.report()]
    reports = _rule_problems(unit) + _template_problems(unit)
    # a Word template is checked too, and then used: a broken one would fail only `--format docx`
    formats: tuple[str, ...] = DEFAULT_FORMATS
    printed = {}
    try:
        if word_template(unit.templates, unit.info.lang) is not None:
            formats = (*DEFAULT_FORMATS, "docx")
    except InputError as error:
        reports.append(error.report())
    for example in example_files():
        data, _ = read_toml(example)
        if data.get("unit"):
            continue  # an example of another unit
        for path in leaves(unit.locked):
            put(data, path, None)  # an example's own choice of a locked answer is not the unit's fault
        try:
            answers = validate_for(data, unit, str(example), strict=True)
        except InputError as error:
            reports.append(f"{example.name}: {error.report()}")
            continue
        try:
            files = render_documents(answers, formats, unit=unit)
        except (TemplateProblem, InputError) as error:
            reports.append(f"{example.name}: {error.report()}")
            # what stops a render of valid answers is the unit's (a broken template, a picture or a
            # layout past the limits): it stops every example alike, and a slow one would cost each time
            break
        if "docx" in formats:
            printed[example.name] = (files[FILE_NAMES["pdf"]], files[FILE_NAMES["docx"]])
    return reports + _word_length(printed, unit.info.lang)


def _word_length(printed: dict[str, tuple[bytes, bytes]], lang: str) -> list[str]:
    """An example whose charter.docx (PDF and Word bytes by example) runs to more pages on the
    Word template's page than its PDF, as LibreOffice lays it out (when it is installed: only an
    office can say)."""
    laid_out = converted({f"{name}.docx": word for name, (_, word) in printed.items()}, "pdf")
    reports = []
    for name, (pdf_file, _) in printed.items():
        word, pdf = pdf_pages(laid_out.get(f"{name}.docx", b"")), pdf_pages(pdf_file)
        if word and pdf and word > pdf:
            reports.append(f"{name}: " + text(lang, "errors.docx_longer", word=word, pdf=pdf))
    return reports
