"""Rendering: the template context into HTML, Markdown, announcement text, calendar and PDF."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from pathlib import Path

from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

PAPERS = ("A4", "A3", "Letter")


def builtin_templates() -> Path:
    """The built-in templates: inside the installed package, or beside it in a source tree."""
    packaged = Path(str(resources.files("charter"))) / "templates"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parent.parent / "templates"


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def markdown_escape(value) -> str:
    """User text shown literally in Markdown: no emphasis, links or raw HTML from it."""
    return _MD_SPECIAL.sub(r"\\\1", str(value))


@cache
def environment(search_path: tuple[Path, ...] | None = None) -> ImmutableSandboxedEnvironment:
    """The template environment; sandboxed, since a unit's templates are data, not code."""
    env = ImmutableSandboxedEnvironment(
        loader=FileSystemLoader([str(p) for p in (search_path or (builtin_templates(),))]),
        autoescape=lambda name: bool(name) and name.endswith((".html.j2", ".css.j2")),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = markdown_escape
    return env


def render_template(name: str, context: dict) -> str:
    return environment().get_template(name).render(context)


def render_html(context: dict) -> str:
    return render_template("charter.html.j2", {**context, "sections_by_id": {s.id: s for s in context["sections"]}})


def render_pdf(html: str) -> bytes:
    """The printable PDF; WeasyPrint is imported here only, so the CLI starts fast."""
    from .weasy import load

    weasyprint = load()
    from .fetcher import AssetFetcher  # after load(): it imports from weasyprint

    assets = builtin_templates()
    return weasyprint.HTML(string=html, base_url=assets.as_uri() + "/",
                url_fetcher=AssetFetcher([assets])).write_pdf()
