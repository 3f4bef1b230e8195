"""A unit's asset files in the documents: embedded in the HTML file, linked for the PDF renderer."""

from __future__ import annotations

import base64
import mimetypes
import re

from ..core.errors import input_error
from ..core.files import TooLarge, read_limited
from ..schema.unit import Unit, asset_file


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
        return f"data:{kind};base64,{base64.b64encode(asset_bytes(unit, target)).decode()}"
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
