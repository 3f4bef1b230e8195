"""Reading a TOML file the user wrote (an answers file, a unit.toml), and where each key stands.

tomllib keeps no positions, so key_lines reads the lines once more: table headers,
array-of-table headers (counted, so members[2] is the third [[members]]) and `key =` lines.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TypeAlias

from .dotted import Tree
from .errors import InputError, Problem, input_error
from .files import NotRegular, TooLarge, read_limited
from .i18n import environment_lang, messages, text

MAX_FILE_BYTES = 2_000_000

# Possessive throughout: a line such as "[" and thousands of spaces once took cubic time here.
_HEADER = re.compile(r"^\s*+(\[\[?+)([^\]]*+)\]\]?+\s*+(#.*)?$")
_KEY = re.compile(r"""^\s*+((?:"[^"]*+"|'[^']*+'|[A-Za-z0-9_-]++)(?:\s*+\.\s*+(?:"[^"]*+"|'[^']*+'|[A-Za-z0-9_-]++))*+)\s*+=""")
_TOML_POSITION = re.compile(r"\(at line (\d+), column \d+\)")
_LANG_EN = re.compile(r'^\s*lang\s*=\s*["\']en["\']', re.MULTILINE)

# tomllib spends time quadratic in a dotted key's depth (400,000 levels in 800 KB took a server
# past 20 GB), so a file is measured before it is parsed. The deepest key charter reads has five
# parts (profiles.site.words.zh.file_subject) and its deepest value three brackets.
MAX_KEY_PARTS = 8
MAX_NESTING = 8
_STRING_OR_COMMENT = re.compile(
    # as TOML reads them: a multi-line string may end in one or two quotes of its own before its
    # closing three; an unclosed string runs to the end of its line (or file), so that no quote in
    # it is tried again as the start of another (a line of \" pairs once took quadratic time)
    r'"""(?:[^"\\]++|\\[\s\S]|"(?!""))*+(?:"{0,2}"""|\Z)'
    r"|'''(?:[^']++|'(?!''))*+(?:'{0,2}'''|\Z)"
    r'|"(?:[^"\\\n]++|\\.?)*+(?:"|$)'
    r"|'[^'\n]*+(?:'|$)"
    r"|#[^\n]*+", re.MULTILINE)
# A word is tried once, from its start and without backtracking, so a long bare word costs
# linear time.
_DEEP_KEY = re.compile(r"(?<![^\s.=\[\]{},])[^\s.=\[\]{},]++(?:[ \t]*+\.[ \t]*+[^\s.=\[\]{},]++){%d}"
                       % MAX_KEY_PARTS)
_INNERMOST = re.compile(r"\[[^\[\]{}]*\]|\{[^\[\]{}]*\}")

# Where a value stands in a file: its keys, and an array's index, e.g. ("members", 2, "name").
Loc: TypeAlias = tuple[str | int, ...]


def _split_key(dotted: str) -> tuple[str, ...]:
    parts = re.findall(r""""([^"]*)"|'([^']*)'|([A-Za-z0-9_-]+)""", dotted)
    return tuple("".join(part) for part in parts)  # one of the three matched (a quoted key may be empty: "")


class KeyLines(Mapping[Loc, int]):
    """Each table and key path, e.g. ("members", 2, "name"), to its 1-based line; found only when
    first asked (a valid file, the usual case, never needs them)."""

    def __init__(self, source: str):
        self._source: str = source
        self._lines: dict[Loc, int] | None = None

    def _found(self) -> dict[Loc, int]:
        if self._lines is None:
            self._lines = _key_lines(self._source)
        return self._lines

    def __getitem__(self, key: Loc) -> int:
        return self._found()[key]

    def __iter__(self) -> Iterator[Loc]:
        return iter(self._found())

    def __len__(self) -> int:
        return len(self._found())


def key_lines(source: str) -> KeyLines:
    return KeyLines(source)


def _key_lines(source: str) -> dict[Loc, int]:
    lines: dict[Loc, int] = {}
    table: Loc = ()
    array_counts: dict[Loc, int] = {}
    in_multiline = False
    # TOML's lines end at a line feed only: splitlines() would also break at U+2028 or U+0085
    # inside a string or a comment and put every later line number off by one.
    for number, line in enumerate(source.replace("\r\n", "\n").split("\n"), start=1):
        if in_multiline:
            in_multiline = line.count('"""') % 2 == 0 and line.count("'''") % 2 == 0
            continue
        header = _HEADER.match(line)
        if header and not _KEY.match(line):
            path = _split_key(header.group(2).strip())
            if header.group(1) == "[[":
                index = array_counts.get(path, 0)
                array_counts[path] = index + 1
                table = (*path, index)
            else:
                table = path
            lines.setdefault(table, number)
            continue
        key = _KEY.match(line)
        if key:
            lines.setdefault((*table, *_split_key(key.group(1))), number)
            rest = line[key.end():]
            in_multiline = rest.count('"""') % 2 == 1 or rest.count("'''") % 2 == 1
    return lines


def line_of(lines: Mapping[Loc, int], loc: Loc) -> int | None:
    """The line of the longest known prefix of loc (a missing key points at its table)."""
    for end in range(len(loc), 0, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return None


def text_lang(source_text: str) -> str:
    """The language a file says it is in, read before it parses (for the parse error itself)."""
    return "en" if _LANG_EN.search(source_text) else "zh"


def _too_deep(source_text: str) -> bool:
    """Whether a key has more parts, or a value more nested brackets, than any charter file has;
    read outside strings and comments, with regular expressions only (no loop per character)."""
    bare = _STRING_OR_COMMENT.sub("S", source_text)
    if _DEEP_KEY.search(bare):
        return True
    for _ in range(MAX_NESTING + 1):
        bare, removed = _INNERMOST.subn("", bare)
        if not removed:
            return False  # all brackets matched (or the rest are unbalanced: tomllib says where)
    return True


def loads(source_text: str) -> Tree:
    """tomllib.loads for a file charter keeps (settings, a draft, the charter it replaces), which a
    user may still have edited: one too deep to parse cheaply is a TOMLDecodeError like any other."""
    if _too_deep(source_text):
        raise tomllib.TOMLDecodeError("nested too deeply")
    return tomllib.loads(source_text)


def load_kept(path: Path) -> Tree:
    """The TOML of a small regular file charter keeps; OSError (also past MAX_FILE_BYTES, or a pipe
    or device in its place), UnicodeDecodeError or TOMLDecodeError when it cannot be read."""
    try:
        data = read_limited(path, MAX_FILE_BYTES, regular_only=True)
    except TooLarge:
        raise OSError(f"larger than {MAX_FILE_BYTES} bytes") from None
    return loads(data.decode("utf-8-sig"))


def _toml_detail(detail: str, lang: str) -> str | None:
    """tomllib's words in the language, or None when they are not known in it (tomllib speaks English only)."""
    words: dict[str, str] | None = messages(lang).get("toml_details")
    if words is None:
        return detail
    for english, own in words.items():
        pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>.+)", re.escape(english))
        found = re.fullmatch(pattern, detail)
        if found:
            return str(own).format(**found.groupdict())
    return None


def parse_toml(source_text: str, source: str = "") -> Tree:
    if _too_deep(source_text):
        raise input_error(text_lang(source_text), "too_deep", source=source)
    try:
        return tomllib.loads(source_text)
    except RecursionError:
        raise input_error(text_lang(source_text), "too_deep", source=source) from None
    except tomllib.TOMLDecodeError as error:
        lang = text_lang(source_text)
        at = _TOML_POSITION.search(str(error))
        detail = _toml_detail(_TOML_POSITION.sub("", str(error)).strip(), lang)
        problem = Problem("", text(lang, "errors.toml", detail=detail) if detail else text(lang, "errors.toml_unknown"),
                          int(at.group(1)) if at else None)
        raise InputError([problem], source, lang) from None


def read_toml(path: Path, regular_only: bool = False) -> tuple[Tree, str]:
    """The parsed TOML of a user's file and its text; a missing, huge, undecodable or broken
    file raises InputError naming it (and the line of a byte that is not UTF-8)."""
    name, lang = str(path), environment_lang()
    try:
        data = read_limited(path, MAX_FILE_BYTES, regular_only)
        source_text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise InputError([Problem("", text(lang, "errors.not_utf8"), line)], name, lang) from None
    except TooLarge:
        size = path.stat().st_size if path.is_file() else f"> {MAX_FILE_BYTES}"
        raise input_error(lang, "too_large", source=name, size=size, limit=MAX_FILE_BYTES) from None
    except FileNotFoundError:
        raise input_error(lang, "not_found", path=name) from None
    except NotRegular:
        raise input_error(lang, "not_regular", source=name) from None
    except OSError as error:
        raise input_error(lang, "unreadable", source=name, detail=getattr(error, "strerror", None) or str(error)) \
            from None
    return parse_toml(source_text, name), source_text
