"""Templates: the built-ins and a unit's overrides, rendered in the sandbox from plain data."""

from __future__ import annotations

import os
import posixpath
from functools import cache
from pathlib import Path

from jinja2 import ChoiceLoader, FileSystemLoader, PrefixLoader, StrictUndefined, TemplateError, TemplateSyntaxError
from jinja2.loaders import split_template_path

from ..core.errors import InputError, input_error
from ..core.resources import templates_dir
from ..core.sandbox import CharterSandbox, bytecode_cache
from .markup import markdown_escape

MAX_TEMPLATE_BYTES = 1_000_000  # a unit's template is a page of layout; reading a huge file is the attack

class ConfinedLoader(FileSystemLoader):
    """A unit's template folder; a template reached through a link that leaves it, or too large
    to be a template, is refused."""

    def get_source(self, environment, template):
        path = posixpath.join(self.searchpath[0], *split_template_path(template))
        if os.path.isfile(path) and os.path.getsize(path) > MAX_TEMPLATE_BYTES:
            raise TemplateError(f"{template} is larger than {MAX_TEMPLATE_BYTES} bytes")
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
        bytecode_cache=bytecode_cache(),
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


class TemplateProblem(InputError):
    """A unit's template that fails (broken, hostile or too costly): bad input naming it."""


def template_problem(lang: str, error: BaseException) -> TemplateProblem:
    """A template's failure as bad input naming the template and line."""
    where = template_position(error)
    detail = f"{where}: {error}" if where else str(error)
    problem = input_error(lang, "template", detail=f"{type(error).__name__}: {detail}")
    return TemplateProblem(problem.problems, problem.source, problem.lang)


def render_template(name: str, context: dict, unit_templates: Path | None = None, lang: str = "zh") -> str:
    """A template rendered (within the sandbox's budget); with a unit, a broken or hostile template
    is bad input (exit 2), not a crash."""
    try:
        return environment(unit_templates).get_template(name).render(context)
    except InputError:  # asset() naming a file outside the unit's assets
        raise
    except Exception as error:  # a unit's template is data: whatever it breaks is its fault
        if unit_templates is None:
            raise
        raise template_problem(lang, error) from None
