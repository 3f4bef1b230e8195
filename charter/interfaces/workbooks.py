"""Tables kept in Excel (.xlsx): the same rows a CSV gives, numbered as Excel numbers them.

Offices keep member lists and group lists in Excel or WPS; retyping them as CSV is where
mistakes come from. openpyxl reads the first sheet in read-only mode; each cell becomes the
text a CSV export would hold (a date as 2026-12-31, 6.0 as 6), so the CSV readers' checks
apply unchanged and a problem names the row the user sees in Excel.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from pathlib import Path

from ..core.files import TooLarge, read_limited

MAX_BYTES = 10_000_000
MAX_UNPACKED_BYTES = 100_000_000  # a zip bomb is refused before openpyxl opens it
MAX_ROWS = 20_000


class WorkbookError(Exception):
    """Not a workbook charter can read: not .xlsx, damaged, or far larger than a list of people."""


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def workbook_rows(path: Path) -> list[tuple[int, list[str]]]:
    """(Excel row number, cells as text) of every non-blank row of the first sheet."""
    try:
        data = read_limited(path, MAX_BYTES)
    except TooLarge:
        raise WorkbookError(f"larger than {MAX_BYTES // 1_000_000} MB") from None
    except OSError as error:
        raise WorkbookError(error.strerror or str(error)) from None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:  # a workbook saved under another name is read all the same
            if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
                raise WorkbookError("unpacks to far more than a list of people")
        return _rows(io.BytesIO(data))
    except WorkbookError:
        raise
    except Exception as error:  # a damaged workbook fails in openpyxl and its XML parsers in many ways
        raise WorkbookError(f"{type(error).__name__}: {str(error)[:200]}") from None


def _rows(data) -> list[tuple[int, list[str]]]:
    from openpyxl import load_workbook  # openpyxl is needed for .xlsx only

    book = load_workbook(data, read_only=True, data_only=True)
    try:
        rows = []
        for number, values in enumerate(book.worksheets[0].iter_rows(values_only=True), start=1):
            if number > MAX_ROWS:
                raise WorkbookError(f"more than {MAX_ROWS} rows")
            cells = [cell_text(v) for v in values]
            if any(cells):
                rows.append((number, cells))
        return rows
    finally:
        book.close()
