"""Tables people keep in spreadsheets: members and groups from CSV, with a header in either language."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from pydantic import ValidationError

from ..core.i18n import messages, text
from ..schema.answers import Member
from ..schema.validation import error_message

HEADERS = {
    "name": "name", "姓名": "name", "名字": "name",
    "unit": "unit", "单位": "unit", "部门": "unit",
    "title": "title", "职务": "title", "职位": "title",
    "role": "role", "角色": "role",
}
ROLE_WORDS = {"": "member", **{word: role for lang in ("zh", "en") for role, word in messages(lang)["roles"].items()}}


def decode(raw: bytes) -> str | None:
    """Text of a CSV saved by Excel or WPS: UTF-8 with or without BOM, else GB18030."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def read_members(path: Path, lang: str) -> tuple[list[Member], list[str]]:
    """The members of a CSV file and a message for each row that could not be read (by line)."""
    try:
        source = decode(path.read_bytes())
    except OSError as error:
        return [], [text(lang, "errors.unreadable", detail=error.strerror or str(error))]
    if source is None:
        return [], [text(lang, "errors.csv_encoding")]
    return parse_members(source, lang)


def rows_by_header(source: str, columns: dict[str, str],
                   headerless: list[str] | None = None) -> list[tuple[int, dict[str, str]]] | None:
    """Each non-blank row of CSV text as (line, {column: stripped cell}), the columns named by a
    header row in either language (`columns` maps header words to column names). Without a
    header that names a "name" column: None, or with `headerless`, the rows in those columns."""
    rows = csv.reader(io.StringIO(source))
    header = [columns.get(cell.strip().lower(), "") for cell in next(rows, [])]
    if "name" not in header:
        if headerless is None:
            return None
        header, rows = headerless, csv.reader(io.StringIO(source))
    return [(rows.line_num, {key: cell.strip() for key, cell in zip(header, row) if key})
            for row in rows if any(cell.strip() for cell in row)]


def parse_members(source: str, lang: str, header_optional: bool = False) -> tuple[list[Member], list[str]]:
    """Members from CSV text; with header_optional, a first row that is not a header is a member
    (columns name, unit, title, role), as people type into a form."""
    rows = rows_by_header(source, HEADERS, ["name", "unit", "title", "role"] if header_optional else None)
    if rows is None:
        return [], [text(lang, "errors.csv_header")]
    members, problems = [], []
    for line, fields in rows:
        fields["role"] = ROLE_WORDS.get(fields.get("role", "").lower(), fields.get("role", ""))
        try:
            members.append(Member.model_validate(fields))
        except ValidationError as error:
            detail = error.errors()[0]
            column = str(detail["loc"][0])
            words = messages(lang)
            problem = error_message(lang, detail) if column != "role" else \
                text(lang, "errors.unknown_choice", expected=words["list_sep"].join(words["roles"].values()))
            message = f"{words['columns'].get(column, column)}{words['web']['colon']}{problem}"
            problems.append(text(lang, "errors.csv_row", line=line, message=message))
    return members, problems
