"""Tables people keep in spreadsheets: members and groups from a CSV file or an Excel workbook,
with a header in either language."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from pydantic import ValidationError

from ..core.errors import InputError, Problem, input_error
from ..core.files import TooLarge, read_limited
from ..core.i18n import messages, text
from ..schema.answers import Member
from ..schema.validation import error_message
from .workbooks import WorkbookError, workbook_rows

MAX_TABLE_BYTES = 10_000_000  # a list of people or groups, not a database

HEADERS = {
    "name": "name", "姓名": "name", "名字": "name",
    "unit": "unit", "单位": "unit", "部门": "unit",
    "title": "title", "职务": "title", "职位": "title",
    "role": "role", "角色": "role",
}
ROLE_WORDS = {"": "member", **{word: role for lang in ("zh", "en") for role, word in messages(lang)["roles"].items()}}
MEMBER_COLUMNS = ["name", "unit", "title", "role"]
# A Chinese keyboard types ， and 、 where an English one types a comma: in members typed into
# the form they part the fields too, except inside a quoted cell.
_WIDE_SEPARATORS = re.compile(r'(?m)((?:^|(?<=[,，、]))"(?:[^"]|"")*"?)|[，、]')


_ENCODINGS = ("utf-8-sig", "gb18030")


def decode(raw: bytes) -> tuple[str, list[int]]:
    """Text of a CSV saved by Excel or WPS: UTF-8 with or without BOM, else GB18030, and the lines
    that are neither. A file that is not wholly one or the other is read line by line (neither
    encoding puts a newline byte inside a character), each line in the first that fits; a line
    that fits none becomes blank, its number returned, so the other rows still count."""
    for encoding in _ENCODINGS:
        try:
            return raw.decode(encoding), []
        except UnicodeDecodeError:
            continue
    lines, bad = [], []
    for number, line in enumerate(raw.split(b"\n"), start=1):
        for encoding in _ENCODINGS:
            try:
                lines.append(line.decode(encoding))
                break
            except UnicodeDecodeError:
                continue
        else:
            lines.append("")
            bad.append(number)
    return "\n".join(lines), bad


def is_workbook(path: Path) -> bool:
    """An Excel workbook (.xlsx), by its name or, renamed, by its zip signature."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return True
    try:
        with open(path, "rb") as stream:
            return stream.read(4) == b"PK\x03\x04"
    except OSError:
        return False


def table_rows(path: Path, columns: dict[str, str], lang: str,
               headerless: list[str] | None = None) -> tuple[list[tuple[int, dict[str, str]]] | None, list[int]]:
    """The rows of a CSV file or an Excel workbook by header (see by_header), numbered as the
    user sees them, and the CSV lines no encoding could read. Raises InputError when the file
    cannot be read at all."""
    try:
        if is_workbook(path):
            try:
                return by_header(workbook_rows(path), columns, headerless), []
            except WorkbookError as error:
                raise input_error(lang, "unreadable", source=str(path), detail=str(error)) from None
        source, bad = decode(read_limited(path, MAX_TABLE_BYTES))
        return rows_by_header(source, columns, headerless), bad
    except TooLarge:
        raise input_error(lang, "too_large", source=str(path), size=f"> {MAX_TABLE_BYTES}", limit=MAX_TABLE_BYTES) \
            from None
    except OSError as error:
        raise input_error(lang, "unreadable", source=str(path), detail=error.strerror or str(error)) from None
    except BrokenTable as error:
        raise InputError([Problem("", error.message(lang))], str(path), lang) from None


def read_members(path: Path, lang: str) -> tuple[list[Member], list[str]]:
    """The members of a CSV file or an Excel workbook, and a message for each row that could not
    be read (by its line or row)."""
    try:
        rows, bad = table_rows(path, HEADERS, lang)
    except InputError as error:
        return [], [error.report()]
    members, problems = members_from_rows(rows, lang)
    return members, [text(lang, "errors.csv_row", line=line, message=text(lang, "errors.csv_line_encoding"))
                     for line in bad] + problems


def rows_by_header(source: str, columns: dict[str, str], headerless: list[str] | None = None,
                   typed: bool = False) -> list[tuple[int, dict[str, str]]] | None:
    """CSV text (or tab-separated, as pasted from a spreadsheet) by header: see by_header. Typed
    text (not a file) may part its fields with ， or 、 too."""
    return by_header(_csv_rows(source, typed), columns, headerless)


def _csv_rows(source: str, typed: bool = False) -> list[tuple[int, list[str]]]:
    """(line, cells) of every row of CSV text, numbered by the line it starts on."""
    first_line = next(iter(source.lstrip("\r\n").splitlines()), "")
    # cells copied from Excel or WPS and pasted come separated by tabs
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    if typed and delimiter == ",":
        source = _WIDE_SEPARATORS.sub(lambda match: match.group(1) or ",", source)
    # newline=None reads old Mac files (lines ending in CR alone) as lines too
    reader = csv.reader(io.StringIO(source, newline=None), delimiter=delimiter)
    rows, last = [], 0
    try:
        for row in reader:
            start, last = last + 1, reader.line_num  # a quoted cell may go on over several lines: the first names it
            rows.append((start, row))
    except csv.Error:  # a cell past the csv module's size limit, a NUL byte
        raise BrokenTable(last + 1, "csv_broken") from None
    return rows


def by_header(rows: list[tuple[int, list[str]]], columns: dict[str, str],
              headerless: list[str] | None = None) -> list[tuple[int, dict[str, str]]] | None:
    """Each non-blank row as (line, {column: stripped cell}), the columns named by the first row,
    a header in either language (`columns` maps header words to column names). Without a header
    that names a "name" column: None, or with `headerless`, the rows in those columns. Two columns
    for one answer (群名称 and name) are refused: which one is meant?"""
    if not rows:
        return [] if headerless is not None else None
    number, cells = rows[0]
    header = [columns.get(cell.strip().lower(), "") for cell in cells]
    twice = [cell.strip() for cell, key in zip(cells, header) if key and header.count(key) > 1]
    if twice:
        raise BrokenTable(number, "csv_same_column", columns=twice)
    body = rows[1:]
    if "name" not in header:
        if headerless is None:
            return None
        header, body = headerless, rows
    if headerless is not None:
        # typed text: a cell past the last column is a field parted in two, kept as "more" to be refused
        width = len(header)
        header = header + ["more"]
        body = [(line, row[:width] + [",".join(cell.strip() for cell in row[width:] if cell.strip())])
                for line, row in body]
    # a tab inside a cell is a slip of the keyboard, not a second line: a space
    return [(line, {key: cell.replace("\t", " ").strip() for key, cell in zip(header, row) if key})
            for line, row in body if any(cell.strip() for cell in row)]


class BrokenTable(Exception):
    """CSV text that cannot be read as a table, from this line on."""

    def __init__(self, line: int, key: str, **values):
        super().__init__(line, key)
        self.line, self.key, self.values = line, key, values

    def message(self, lang: str) -> str:
        values = {name: messages(lang)["list_sep"].join(value) if isinstance(value, list) else value
                  for name, value in self.values.items()}
        return text(lang, "errors.csv_row", line=self.line, message=text(lang, f"errors.{self.key}", **values))


def parse_members(source: str, lang: str, header_optional: bool = False) -> tuple[list[Member], list[str]]:
    """Members from CSV text; with header_optional, a first row that is not a header is a member
    (columns name, unit, title, role), as people type into a form."""
    try:
        rows = rows_by_header(source, HEADERS, MEMBER_COLUMNS if header_optional else None, typed=header_optional)
    except BrokenTable as error:
        return [], [error.message(lang)]
    return members_from_rows(rows, lang)


def members_from_rows(rows: list[tuple[int, dict[str, str]]] | None, lang: str) -> tuple[list[Member], list[str]]:
    if rows is None:
        return [], [text(lang, "errors.csv_header")]
    members, problems = [], []
    for line, fields in rows:
        problem = _misread(fields, lang)
        if problem is None:
            fields["role"] = ROLE_WORDS[fields.get("role", "").lower()]
            try:
                members.append(Member.model_validate(fields))
                continue
            except ValidationError as error:
                detail = error.errors()[0]
                column = str(detail["loc"][0])
                words = messages(lang)
                problem = f"{words['columns'].get(column, column)}{words['web']['colon']}{error_message(lang, detail)}"
        problems.append(text(lang, "errors.csv_row", line=line, message=problem))
    return members, problems


def _misread(fields: dict[str, str], lang: str) -> str | None:
    """Why a member's line cannot be taken as read, saying how it was read: a member typed with
    the wrong commas must not become someone else without a word."""
    words = messages(lang)
    more, role = fields.pop("more", ""), fields.get("role", "")
    if more:
        problem = text(lang, "errors.member_more", more=more)
    elif _looks_like_a_line(fields.get("name", "")):
        problem = text(lang, "errors.member_whole_line")
    elif role.lower() not in ROLE_WORDS:
        problem = text(lang, "errors.member_role", role=role, roles=_role_words(lang))
    elif not role and (placed := next((fields[c] for c in ("unit", "title")
                                       if ROLE_WORDS.get(fields.get(c, "").lower()) in ("admin", "guest")), None)):
        problem = text(lang, "errors.member_role_place", role=placed, name=fields.get("name", ""))
    else:
        return None
    understood = words["list_sep"].join(text(lang, "errors.member_cell", column=words["columns"][column], value=value)
                                        for column in MEMBER_COLUMNS if (value := fields.get(column, "")))
    return text(lang, "errors.member_read_as", understood=understood, problem=problem)


def holds_more_than_a_name(name: str) -> bool:
    """A name typed in a field of its own that holds more: a Chinese keyboard's commas or a tab
    part a unit or title from it, as they would on a members line."""
    return any(mark in name for mark in "，、\t") or _looks_like_a_line(name)


def _looks_like_a_line(name: str) -> bool:
    """A "name" that is a whole line whose fields were parted by something that parts nothing: no
    name has a semicolon or ends in a role word after a space."""
    words = name.split()
    return any(mark in name for mark in ";；|｜") or (
        len(words) > 1 and ROLE_WORDS.get(words[-1].lower()) in ("admin", "guest", "owner"))


def _role_words(lang: str) -> str:
    roles = messages(lang)["roles"]
    return text(lang, "errors.member_roles", admin=roles["admin"], guest=roles["guest"])
