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
        if path.stat().st_size > MAX_BYTES:
            raise WorkbookError(f"larger than {MAX_BYTES // 1_000_000} MB")
        data = io.BytesIO(path.read_bytes())  # a workbook saved under another name is read all the same
        with zipfile.ZipFile(data) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
                raise WorkbookError("unpacks to far more than a list of people")
        from openpyxl import load_workbook  # openpyxl is needed for .xlsx only
        from openpyxl.utils.exceptions import InvalidFileException

        try:
            book = load_workbook(data, read_only=True, data_only=True)
        except InvalidFileException as error:
            raise WorkbookError(str(error)) from None
    except WorkbookError:
        raise
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as error:
        raise WorkbookError(f"{type(error).__name__}: {error}") from None
    try:
        sheet = book.worksheets[0]
        rows = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number > MAX_ROWS:
                raise WorkbookError(f"more than {MAX_ROWS} rows")
            cells = [cell_text(v) for v in values]
            if any(cells):
                rows.append((number, cells))
        return rows
    finally:
        book.close()
