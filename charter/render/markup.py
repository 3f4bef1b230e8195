"""Markdown that users write (custom rules), made safe HTML and plain text."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

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


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")
_MD_BLOCK_START = re.compile(r"^(\s*)([-+=]|\d+(?=[.)]))", re.MULTILINE)  # a list, or a heading's underline


def markdown_escape(value) -> str:
    """User text shown literally in Markdown: no emphasis, links, raw HTML or list from it."""
    escaped = _MD_SPECIAL.sub(r"\\\1", str(value))
    return _MD_BLOCK_START.sub(lambda m: m[1] + (f"{m[2]}\\" if m[2][0].isdigit() else f"\\{m[2]}"), escaped)


class _InlineMarkdown(HTMLParser):
    """Sanitised HTML back to one line of Markdown: emphasis and links kept, blocks run together
    (the rule is one item of a numbered list), every character of text escaped."""

    _MARKS = {"strong": "**", "b": "**", "em": "*", "i": "*", "code": "`"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self.in_code = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in self._MARKS:
            self.parts.append(self._MARKS[tag])
            self.in_code = self.in_code or tag == "code"
        elif tag == "a":
            self.links.append(attributes.get("href") or "")
            self.parts.append("[")
        elif tag == "img":
            self.parts.append(markdown_escape(attributes.get("alt") or ""))
        else:  # p, br, li, blockquote, lists: a space between what they held
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in self._MARKS:
            self.parts.append(self._MARKS[tag])
            self.in_code = self.in_code and tag != "code"
        elif tag == "a" and self.links:
            target = self.links.pop().replace(" ", "%20").replace("(", "%28").replace(")", "%29")
            self.parts.append(f"]({target})" if target else "]")
        else:
            self.parts.append(" ")

    def handle_data(self, data):
        # inside a code span nothing is escaped (a backslash would show); its backticks are dropped
        self.parts.append(data.replace("`", "") if self.in_code else markdown_escape(data))


def inline_markdown(fragment: str) -> str:
    """A custom rule's sanitised HTML as Markdown for charter.md, its emphasis and links kept."""
    parser = _InlineMarkdown()
    parser.feed(fragment)
    parser.close()
    return " ".join("".join(parser.parts).split())
