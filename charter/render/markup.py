"""Markdown that users write (custom rules), made safe HTML and plain text."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from typing import TypeAlias

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
    rendered = markdown.markdown(source, extensions=["sane_lists", "fenced_code"], output_format="html")
    clean = nh3.clean(rendered, tags=_ALLOWED_TAGS, attributes=_ALLOWED_ATTRIBUTES, url_schemes=_ALLOWED_SCHEMES,
                      attribute_filter=_only_unit_assets, link_rel="noopener noreferrer")
    return Markup(clean)


def plain_text(fragment: str) -> str:
    return " ".join(html.unescape(nh3.clean(fragment, tags=set())).split())


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")
_MD_BLOCK_START = re.compile(r"^(\s*)([-+=~]|\d+(?=[.)]))", re.MULTILINE)  # a list, a heading's underline, a fence


def markdown_escape(value) -> str:
    """User text shown literally in Markdown: no emphasis, links, raw HTML or list from it."""
    escaped = _MD_SPECIAL.sub(r"\\\1", str(value))
    return _MD_BLOCK_START.sub(lambda m: m[1] + (f"{m[2]}\\" if m[2][0].isdigit() else f"\\{m[2]}"), escaped)


# An element: its tag, its attributes and its children (elements and text).
_Node: TypeAlias = tuple[str, dict[str, str | None], list["_Node | str"]]


class _Tree(HTMLParser):
    """Sanitised HTML as nested (tag, attributes, children) tuples; text as strings."""

    _VOID = {"br", "img"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root: _Node = ("", {}, [])
        self.open = [self.root]

    def handle_starttag(self, tag, attrs):
        node: _Node = (tag, dict(attrs), [])
        self.open[-1][2].append(node)
        if tag not in self._VOID:
            self.open.append(node)

    def handle_endtag(self, tag):
        if len(self.open) > 1 and self.open[-1][0] == tag:
            self.open.pop()

    def handle_data(self, data):
        self.open[-1][2].append(data)


_MARKS = {"strong": "**", "b": "**", "em": "*", "i": "*"}
_BLOCKS = {"p", "ul", "ol", "blockquote"}


def _inline(children: list, in_code: bool = False) -> str:
    parts = []
    for child in children:
        if isinstance(child, str):
            # inside a code span nothing is escaped (a backslash would show); its backticks are dropped
            # (and a code block's lines run together: a line of it would start a list or a fence)
            parts.append(" ".join(child.replace("`", "").split()) if in_code
                         else markdown_escape(" ".join(child.split("\n"))))
            continue
        tag, attributes, inner = child
        if tag in _MARKS:
            parts.append(f"{_MARKS[tag]}{_inline(inner)}{_MARKS[tag]}")
        elif tag == "code":
            parts.append(f"`{_inline(inner, in_code=True)}`")
        elif tag == "a":
            target = (attributes.get("href") or "").replace(" ", "%20").replace("(", "%28").replace(")", "%29")
            parts.append(f"[{_inline(inner)}]({target})" if target else _inline(inner))
        elif tag == "img":
            parts.append(markdown_escape(attributes.get("alt") or ""))
        elif tag == "br":
            parts.append("  \n")  # a hard line break both CommonMark and Python-Markdown read
        else:
            parts.append(_inline(inner))
    return "".join(parts)


def _blocks(children: list) -> list[str]:
    """Markdown lines for block content; paragraphs apart by a blank line, list items together."""
    lines: list[str] = []
    run: list = []

    def paragraph(text: str) -> None:
        # white space runs become one space; the two spaces of a hard break stay at a line's end
        kept = [" ".join(line.split()) + ("  " if line.endswith("  ") else "") for line in text.split("\n")]
        text = "\n".join(kept).strip(" \n")
        if text:
            lines.extend([""] * bool(lines) + text.split("\n"))

    for child in [*children, ("p", {}, [])]:  # the last empty paragraph flushes the run
        if isinstance(child, str) or child[0] not in _BLOCKS:
            run.append(child)
            continue
        paragraph(_inline(run))
        run = []
        tag, attributes, inner = child
        if tag == "p":
            paragraph(_inline(inner))
        elif tag == "blockquote":  # its paragraphs as they are: Python-Markdown misreads a quote in a list item
            lines.extend([""] * bool(lines) + _blocks(inner))
        else:
            items = [item for item in inner if not isinstance(item, str) and item[0] == "li"]
            if lines:
                lines.append("")
            for number, (_, _, content) in enumerate(items, start=1):
                marker = f"{number}. " if tag == "ol" else "- "
                body = _blocks(content) or [""]
                lines.append(marker + body[0])
                # four spaces: what both CommonMark and Python-Markdown read as inside the item
                lines.extend(f"    {line}" if line else "" for line in body[1:])
    return lines


def rule_markdown(fragment: str) -> str:
    """A custom rule's sanitised HTML as Markdown for charter.md, to follow "N. " in the charter's
    numbered list: emphasis, links, paragraphs and lists kept, every later line indented so it
    stays inside that item, every character of text escaped."""
    tree = _Tree()
    tree.feed(fragment)
    tree.close()
    lines = _blocks(tree.root[2])
    # more than one line: a blank line after it, or the next rule would read as its last line
    return "\n".join([lines[0] if lines else "", *(f"    {line}" if line else "" for line in lines[1:]),
                      *[""] * (len(lines) > 1)])
