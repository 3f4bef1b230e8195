"""A unit's asset files in the documents: embedded in the HTML file, linked for the PDF renderer."""

from __future__ import annotations

import base64
import mimetypes
import re

from ..core.errors import input_error
from ..core.files import TooLarge, read_limited
from ..schema.unit import Unit, asset_file
from .limits import MAX_SVG_ELEMENTS, too_costly_picture


def linked_asset(unit: Unit):
    """asset(path) for the PDF: the file's URL, which the PDF fetcher serves."""
    def asset(path: str) -> str:
        return _asset(unit, path).as_uri()
    return asset


# All the files one HTML file carries together: a picture named a hundred times in a template, or
# in the rules of an answers file, is in the file a hundred times (1.3 GB and 8 GB once).
MAX_EMBEDDED_BYTES = 32_000_000


def embedded_asset(unit: Unit | None):
    """asset(path) for one HTML file: the file itself as a data: URL, so the page stands alone; all
    it embeds together at most MAX_EMBEDDED_BYTES, and no SVG picture too costly to draw."""
    spent = [0]

    def asset(path: str) -> str:
        if unit is None:
            return ""
        target = _asset(unit, path)
        content = asset_bytes(unit, target)
        spent[0] += len(content)
        if spent[0] > MAX_EMBEDDED_BYTES:
            raise input_error(unit.info.lang, "too_large", source=str(target), size=spent[0], limit=MAX_EMBEDDED_BYTES)
        if too_costly_picture(content):
            raise input_error(unit.info.lang, "svg_too_complex", source=str(target), limit=MAX_SVG_ELEMENTS)
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        return f"data:{kind};base64,{base64.b64encode(content).decode()}"
    return asset


# [^<>] and not [^>]: each try ends at the next tag, so a page of "<img " without end costs linear
# time (with [^>] a 400 KB template took three minutes, holding the interpreter all along)
_RULE_IMAGE = re.compile(r'(<img[^<>]*\ssrc=")(assets/[^"<>]+)(")')


def embed_rule_images(html: str, unit: Unit | None, asset) -> str:
    """Images given as src="assets/…" (all the Markdown sanitiser lets through) made part of the
    HTML file through `asset` (the file's embedded_asset); one that is not a file of the unit's
    assets/ (or with no unit) loses its source, as the PDF fetcher would refuse it."""
    def embed(match: re.Match) -> str:
        found = unit is not None and asset_file(unit.root, match.group(2)) is not None
        return match.group(1) + (asset(match.group(2)) if found else "") + match.group(3)
    return _RULE_IMAGE.sub(embed, html)


def _asset(unit: Unit, path: str):
    target = asset_file(unit.root, str(path))
    if target is None:
        raise input_error(unit.info.lang, "asset_outside", path=str(path)[:200])
    return target


MAX_ASSET_BYTES = 10_000_000  # a logo or a rule's picture, not a film


def asset_bytes(unit: Unit, target) -> bytes:
    """An asset's content, refused past a size no letterhead needs (or when it is not a plain file)."""
    try:
        return read_limited(target, MAX_ASSET_BYTES)
    except TooLarge:
        raise input_error(unit.info.lang, "too_large", source=str(target), size=f"> {MAX_ASSET_BYTES}",
                          limit=MAX_ASSET_BYTES) from None
