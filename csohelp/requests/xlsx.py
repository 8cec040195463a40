"""Requests as an XLSX workbook for agents: every cell a string, so nothing can run as a formula."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE


def text_cell(sheet: Any, value: Any) -> WriteOnlyCell:
    """A cell holding `value` as text: openpyxl would make "=..." a formula, so the type is forced."""
    text = "" if value is None else str(value)
    # XML 1.0 cannot carry most C0 controls (validation refuses them; old rows may have them).
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("\ufffd", text))
    cell.data_type = "s"
    return cell


def write_xlsx(out: IO[bytes], columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> None:
    """One sheet, a header row, then a row per mapping (missing keys are empty cells)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("requests")
    sheet.append([text_cell(sheet, name) for name in columns])
    for row in rows:
        sheet.append([text_cell(sheet, row.get(name)) for name in columns])
    book.save(out)
