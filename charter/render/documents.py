"""Answers to documents: the one path every command takes to make a charter's files (as bytes)."""

from __future__ import annotations

import re

import tomli_w

from ..core.formats import ANSWERS_FILE, DEFAULT_FORMATS, FILE_NAMES
from ..schema.answers import AnswersBase, answers_to_data
from ..schema.catalogue import Catalogue
from ..schema.unit import Unit, catalogue_of
from .assets import embed_rule_images, embedded_asset, linked_asset
from .calendar import build_calendar
from .context import build_context, catalogue_wordings
from .pdf import render_pdf
from .templates import render_template

ANSWERS_HEADER = ("# The answers this charter was made from. To change the charter, edit them and run:\n"
                  "#   charter render <this file> --force\n")


# The HTML file stands alone: its pictures and fonts are inside it. A browser that opens it
# loads nothing else, whatever a unit's template put in it (a tracking picture, a file: link).
FILE_POLICY = "default-src 'none'; img-src data:; font-src data:; style-src 'unsafe-inline'"
# The policy opens the file, before anything a template wrote: a parser puts these tags in the
# head it makes, and the template's own <html> and <head> tags then only add to that head (a
# script or a comment before a template's <head> can neither precede nor hide the policy).
# Links are not looked up in advance, which the policy alone does not stop.
_POLICY_HEAD = ('<!DOCTYPE html><meta charset="utf-8">'
                f'<meta http-equiv="Content-Security-Policy" content="{FILE_POLICY}">'
                '<meta http-equiv="x-dns-prefetch-control" content="off">')
_DOCTYPE = re.compile(r"\A\s*<!DOCTYPE[^>]*>", re.IGNORECASE)
# A meta refresh leaves the page for another address, which no policy governs, and a template's
# own http-equiv could set another policy beside the file's: no tag in a template's output keeps an
# http-equiv attribute (however it is spelled or quoted: an attribute's name has no entities).
_HTTP_EQUIV = re.compile(r"(?<=[\s/\"'])http-equiv(?=\s*=)", re.IGNORECASE)
# A frame the policy refuses still has Chromium open a connection to its address (a beacon with the
# reader's address): a template's frames and embedded objects become elements that load nothing.
_FRAME = re.compile(r"<(/?)(iframe|frame|frameset|object|embed|portal|fencedframe)(?=[\s/>])", re.IGNORECASE)


def confined(html: str) -> str:
    """The HTML file as a browser may open it: the file's policy first, a template's http-equiv and
    frames gone."""
    html = _HTTP_EQUIV.sub("data-removed-http-equiv", _DOCTYPE.sub("", html, count=1))
    return _POLICY_HEAD + _FRAME.sub(r"<\1removed-\2", html)


def render_html(context: dict, unit: Unit | None, asset, name: str = "charter.html.j2") -> str:
    return render_template(name, {**context, "asset": asset}, unit.templates if unit else None, context["lang"])


def _pdf(context: dict, unit: Unit | None, name: str, variant: str | None, html: str | None = None) -> bytes:
    """A PDF of an HTML template; the unit's images are read from its assets/ through the fetcher."""
    if html is None:
        html = render_html(context, unit, linked_asset(unit) if unit else embedded_asset(None), name)
    return render_pdf(html, context["lang"], unit.root if unit else None, (unit.assets,) if unit else (), variant)


def render_documents(answers: AnswersBase, formats=DEFAULT_FORMATS, paper: str = "A4", unit: Unit | None = None,
                     pdf_variant: str | None = None) -> dict[str, bytes]:
    """Every requested file's bytes, plus the answers as rendered; nothing is written."""
    context = build_context(answers, catalogue_of(unit), paper, unit)
    templates = unit.templates if unit else None
    files: dict[str, bytes] = {}
    html_file = None
    if "html" in formats:
        # The HTML file carries its images inside it; the PDF reads them from the unit's assets.
        asset = embedded_asset(unit)
        html_file = confined(embed_rule_images(render_html(context, unit, asset), unit, asset))
        files[FILE_NAMES["html"]] = html_file.encode("utf-8")
    if "pdf" in formats:
        # Without a unit the HTML file is the PDF's source as it is (it embeds nothing).
        files[FILE_NAMES["pdf"]] = _pdf(context, unit, "charter.html.j2", pdf_variant,
                                        html_file if unit is None else None)
    if "poster" in formats:
        files[FILE_NAMES["poster"]] = _pdf(context, unit, "poster.html.j2", pdf_variant)
    if "md" in formats:
        files[FILE_NAMES["md"]] = render_template("charter.md.j2", context, templates, answers.lang).encode("utf-8")
    if "txt" in formats:
        files[FILE_NAMES["txt"]] = render_template("announcement.txt.j2", context, templates, answers.lang).encode("utf-8")
    if "ics" in formats:
        files[FILE_NAMES["ics"]] = build_calendar(answers, unit=unit)
    if "docx" in formats:
        from .word import render_docx  # python-docx is needed for this one format only

        files[FILE_NAMES["docx"]] = render_docx(context, templates, answers.lang)
    files[ANSWERS_FILE] = answers_file(_as_stored(answers, catalogue_of(unit)))
    return files


def _as_stored(answers: AnswersBase, catalogue: Catalogue) -> AnswersBase:
    """The answers as charter.toml keeps them: a wording of the group's own that is the catalogue's
    current one is left out, so the catalogue's later improvements reach that rule."""
    current = catalogue_wordings(answers, catalogue, answers.rules.text)
    kept = {rule_id: text for rule_id, text in answers.rules.text.items() if current.get(rule_id) != text}
    if kept == answers.rules.text:
        return answers
    return answers.model_copy(update={"rules": answers.rules.model_copy(update={"text": kept})})


def answers_file(answers: AnswersBase) -> bytes:
    """The answers as the charter.toml that replays them."""
    return (ANSWERS_HEADER + tomli_w.dumps(answers_to_data(answers))).encode("utf-8")
