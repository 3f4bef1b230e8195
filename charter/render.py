"""Rendering: the template context into HTML, Markdown, announcement text, calendar and PDF."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from pathlib import Path

from jinja2 import (ChoiceLoader, FileSystemLoader, PrefixLoader, StrictUndefined, TemplateError,
                    TemplateSyntaxError)
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from .errors import input_error

PAPERS = ("A4", "A3", "Letter")


def builtin_templates() -> Path:
    """The built-in templates: inside the installed package, or beside it in a source tree."""
    packaged = Path(str(resources.files("charter"))) / "templates"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parent.parent / "templates"


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
def environment(unit_templates: Path | None = None) -> ImmutableSandboxedEnvironment:
    """The template environment: a unit's templates first, then the built-ins (also reachable as
    "builtin/<name>", for a unit template to extend). Sandboxed: a unit's templates are data, not code."""
    builtin = FileSystemLoader(str(builtin_templates()))
    search = [ConfinedLoader(str(unit_templates)), builtin] if unit_templates else [builtin]
    env = ImmutableSandboxedEnvironment(
        loader=ChoiceLoader([PrefixLoader({"builtin": builtin}), *search]),
        autoescape=lambda name: bool(name) and name.endswith((".html.j2", ".css.j2")),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = markdown_escape
    return env


def _template_position(error: BaseException) -> str:
    """template:line of the innermost template frame, which Jinja keeps in its tracebacks."""
    position = ""
    if isinstance(error, TemplateSyntaxError) and error.lineno:
        return f"{error.name or error.filename}:{error.lineno}"
    trace = error.__traceback__
    while trace is not None:
        filename = trace.tb_frame.f_code.co_filename
        if filename.endswith(".j2"):
            position = f"{Path(filename).name}:{trace.tb_lineno}"
        trace = trace.tb_next
    return position


def render_template(name: str, context: dict, unit_templates: Path | None = None, lang: str = "zh") -> str:
    """A template rendered; with a unit, a broken or hostile template is bad input (exit 2), not a crash."""
    try:
        return environment(unit_templates).get_template(name).render(context)
    except (TemplateError, SecurityError) as error:
        if unit_templates is None:
            raise
        where = _template_position(error)
        detail = f"{where}: {error}" if where else str(error)
        raise input_error(lang, "template", detail=f"{type(error).__name__}: {detail}") from None


def render_html(context: dict, unit_templates: Path | None = None) -> str:
    return render_template("charter.html.j2", {**context, "sections_by_id": {s.id: s for s in context["sections"]}},
                           unit_templates, context["lang"])


def render_pdf(html: str, base_dir: Path | None = None, asset_roots: tuple[Path, ...] = ()) -> bytes:
    """The printable PDF. Relative URLs resolve against base_dir; only files under asset_roots and
    the built-in templates can be read. WeasyPrint is imported here only, so the CLI starts fast."""
    from .weasy import load

    weasyprint = load()
    from .fetcher import AssetFetcher  # after load(): it imports from weasyprint

    builtin = builtin_templates()
    base = (base_dir or builtin).resolve().as_uri() + "/"
    return weasyprint.HTML(string=html, base_url=base, url_fetcher=AssetFetcher([*asset_roots, builtin])).write_pdf()
