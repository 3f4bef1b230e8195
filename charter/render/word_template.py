"""A unit's Word template (templates/charter.docx), read as the untrusted file it is.

A .docx is a zip of XML parts that Word obeys: an entity declared in a part is expanded (or
fetches a file, XXE), an external relationship makes Word fetch a template or a picture from a
share, and a field code (INCLUDEPICTURE, INCLUDETEXT, LINK, DDE) loads a file or a web address
when the document is opened or printed. charter copies the template into every charter.docx
it makes, so a template that does any of this is refused, naming the part, before python-docx
or anything else parses it.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from ..core.errors import input_error
from ..core.files import TooLarge, read_limited

UNIT_TEMPLATE = "charter.docx"
FIELD = "templates/charter.docx"
MAX_TEMPLATE_BYTES = 5_000_000  # a letterhead, not a library
MAX_UNPACKED_BYTES = 10_000_000
MAX_DOCUMENT_XML = 2_000_000  # the body of a letterhead: a few paragraphs and a picture
# Fields whose result Word fetches from a file, a server or another program.
LOADING_FIELDS = frozenset({"INCLUDEPICTURE", "INCLUDETEXT", "INCLUDE", "IMPORT", "LINK", "DDE", "DDEAUTO", "RD",
                            "DATABASE"})
# An address or a network path in any field: a field may build another's instruction from its own
# result (an outer field whose type is QUOTE "INCLUDEPICTURE"), so every field is read whole.
_ADDRESS = re.compile(r"://|\\\\|\bfile:", re.IGNORECASE)
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def field_instructions(root) -> list[str]:
    """Every field's instruction in a part, simple (w:fldSimple) and complex (w:instrText runs
    between a w:fldChar begin and its separate or end, which Word splits anywhere, even mid-word)."""
    found: list[str] = []
    open_fields: list[list[str] | None] = []
    for element in root.iter():
        if element.tag == f"{_W}fldSimple":
            found.append(element.get(f"{_W}instr", ""))
        elif element.tag == f"{_W}fldChar":
            kind = element.get(f"{_W}fldCharType")
            if kind == "begin":
                open_fields.append([])
            elif open_fields:
                pieces = open_fields.pop()
                if pieces is not None:
                    found.append("".join(pieces))
                if kind == "separate":
                    open_fields.append(None)  # the field's shown result, up to its end: no instruction
        elif element.tag == f"{_W}instrText" and open_fields and open_fields[-1] is not None:
            open_fields[-1].append(element.text or "")
    return found + ["".join(pieces) for pieces in open_fields if pieces is not None]  # a field never closed


def _part_problem(name: str, data: bytes, lang: str):
    """The InputError for a part that declares entities, is not XML, or has a field that loads something."""
    try:
        root = fromstring(data, forbid_dtd=True)
    except DefusedXmlException:
        return input_error(lang, "docx_doctype", field=FIELD, part=name)
    except (ParseError, ValueError) as error:
        return input_error(lang, "docx_xml", field=FIELD, part=name, detail=str(error)[:200])
    for instruction in field_instructions(root):
        words = [word.strip('"').upper() for word in instruction.split()]
        if LOADING_FIELDS.intersection(words) or _ADDRESS.search(instruction):
            return input_error(lang, "docx_field", field=FIELD, part=name, code=" ".join(instruction.split())[:120])
    return None


def _checked_parts(template: Path, data: bytes, lang: str) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
        if sum(info.file_size for info in infos) > MAX_UNPACKED_BYTES or \
                any(info.filename.lower() == "word/document.xml" and info.file_size > MAX_DOCUMENT_XML
                    for info in infos):
            raise input_error(lang, "too_large", source=str(template), size=sum(i.file_size for i in infos),
                              limit=MAX_UNPACKED_BYTES)
        for info in infos:
            content = archive.read(info)
            # every XML part, whatever its name says (word/document.XML is read as the document too)
            if info.filename.lower().endswith((".xml", ".rels")) or content.lstrip()[:1] == b"<":
                problem = _part_problem(info.filename, content, lang)
                if problem is not None:
                    raise problem


def word_template(unit_templates: Path | None, lang: str):
    """The unit's Word template as a document, if it has one: inside its folder, small, and
    linking to nothing outside itself (an attached template on a share, a picture on a server
    would be fetched by Word from every charter.docx made with it)."""
    from docx import Document  # python-docx is needed for the Word format only

    if unit_templates is None:
        return None
    template = unit_templates / UNIT_TEMPLATE
    if not (template.is_file() or template.is_symlink()):
        return None
    if not template.resolve().is_relative_to(unit_templates.resolve()):
        raise input_error(lang, "link_outside", field=FIELD, path=str(template))
    try:
        data = read_limited(template, MAX_TEMPLATE_BYTES)
        _checked_parts(template, data, lang)
    except TooLarge:
        raise input_error(lang, "too_large", source=str(template), size=f"> {MAX_TEMPLATE_BYTES}",
                          limit=MAX_TEMPLATE_BYTES) from None
    except (zipfile.BadZipFile, OSError) as error:
        raise input_error(lang, "template", detail=f"{template}: {error}") from None
    try:
        document = Document(io.BytesIO(data))
    except Exception as error:  # python-docx raises several kinds for a file that is not a Word document
        raise input_error(lang, "template", detail=f"{template}: {type(error).__name__}: {error}") from None
    external = [rel.target_ref for part in document.part.package.iter_parts() for rel in part.rels.values()
                if rel.is_external]
    if external:
        raise input_error(lang, "docx_external", field=FIELD, target=external[0][:120])
    return document
