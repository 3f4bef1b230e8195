"""Markdown that users write (custom rules), made safe HTML and plain text."""

from __future__ import annotations

import html
import re

import markdown
import nh3
from markupsafe import Markup

# What a custom rule's Markdown may become: text structure, links, and images from the
# unit's assets/ folder; nothing that runs, loads from elsewhere or styles.
_ALLOWED_TAGS = {"p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "code", "blockquote", "a", "img"}
_ALLOWED_ATTRIBUTES = {"a": {"href"}, "img": {"src", "alt"}}
_ALLOWED_SCHEMES = {"http", "https", "mailto"}
UNIT_ASSET_SRC = re.compile(r"^assets/[\w\-./]+$")


def _only_unit_assets(tag: str, attribute: str, value: str) -> str | None:
    """An image's source must be a file under the unit's assets/ (the PDF fetcher checks it again)."""
    if tag == "img" and attribute == "src":
        return value if UNIT_ASSET_SRC.match(value) and ".." not in value else None
    return value


def sanitize_markdown(source: str) -> Markup:
    """User-written Markdown as HTML with raw HTML, scripts and unsafe links removed."""
    rendered = markdown.markdown(source, extensions=["sane_lists"], output_format="html")
    clean = nh3.clean(rendered, tags=_ALLOWED_TAGS, attributes=_ALLOWED_ATTRIBUTES, url_schemes=_ALLOWED_SCHEMES,
                      attribute_filter=_only_unit_assets, link_rel="noopener noreferrer")
    return Markup(clean)


def plain_text(fragment: str) -> str:
    return " ".join(html.unescape(nh3.clean(fragment, tags=set())).split())
