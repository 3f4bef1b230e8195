"""Templates: the built-ins and a unit's overrides, rendered in the sandbox from plain data."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from jinja2 import ChoiceLoader, FileSystemLoader, PrefixLoader, StrictUndefined, TemplateError, TemplateSyntaxError
from jinja2.sandbox import SecurityError

from ..core.errors import input_error
from ..core.resources import templates_dir
from ..core.sandbox import CharterSandbox, render_budget

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def markdown_escape(value) -> str:
    """User text shown literally in Markdown: no emphasis, links or raw HTML from it."""
    return _MD_SPECIAL.sub(r"\\\1", str(value))


class ConfinedLoader(FileSystemLoader):
    """A unit's template folder; a template reached through a link that leaves it is refused."""

    def get_source(self, environment, template):
        source, filename, uptodate = super().get_source(environment, template)
        if not Path(filename).resolve().is_relative_to(Path(self.searchpath[0]).resolve()):
            # not TemplateNotFound: that would quietly fall back to the built-in template
            raise TemplateError(f"{template} is a link to a file outside the unit's templates folder")
        return source, filename, uptodate


@cache
def environment(unit_templates: Path | None = None) -> CharterSandbox:
    """The template environment: a unit's templates first, then the built-ins (also reachable as
    "builtin/<name>", for a unit template to extend). Sandboxed: a unit's templates are data, not code."""
    builtin = FileSystemLoader(str(templates_dir()))
    search = [ConfinedLoader(str(unit_templates)), builtin] if unit_templates else [builtin]
    env = CharterSandbox(
        loader=ChoiceLoader([PrefixLoader({"builtin": builtin}), *search]),
        autoescape=lambda name: bool(name) and name.endswith((".html.j2", ".css.j2")),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = markdown_escape
    return env


def template_position(error: BaseException) -> str:
    """template:line of the innermost template frame, which Jinja keeps in its tracebacks."""
    if isinstance(error, TemplateSyntaxError) and error.lineno:
        return f"{error.name or error.filename}:{error.lineno}"
    position = ""
    trace = error.__traceback__
    while trace is not None:
        filename = trace.tb_frame.f_code.co_filename
        if filename.endswith(".j2"):
            position = f"{Path(filename).name}:{trace.tb_lineno}"
        trace = trace.tb_next
    return position


def template_problem(lang: str, error: BaseException):
    """A template's failure as bad input naming the template and line."""
    where = template_position(error)
    detail = f"{where}: {error}" if where else str(error)
    return input_error(lang, "template", detail=f"{type(error).__name__}: {detail}")


def render_template(name: str, context: dict, unit_templates: Path | None = None, lang: str = "zh") -> str:
    """A template rendered; with a unit, a broken or hostile template is bad input (exit 2), not a crash."""
    try:
        with render_budget():
            return environment(unit_templates).get_template(name).render(context)
    except (TemplateError, SecurityError, RecursionError) as error:
        if unit_templates is None:
            raise
        raise template_problem(lang, error) from None
