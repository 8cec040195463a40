"""Issue 9, item 7 and the terminal item: exports no spreadsheet runs, listings no terminal obeys."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from test_requests_forward import DATA

from csohelp.cli import main
from csohelp.db import open_store

HOSTILE = {"company": "x;=1+1;", "subject": '=HYPERLINK("http://evil.example","x")',
           "contact_name": 'Jo, "@SUM(1)', "customer_number": "+1-2", "phone": "-2+3",
           "description": "ligne 1\n-2+3\n\t=cmd|' /C calc'!A0\r\n;  \"=1\" fin",
           "references": {"invoice": "a\t@x", "order": "1;-1", "machine": "\r=1"}}
FORMULA_START = tuple("=+-@")


@pytest.fixture
def db(tmp_path, monkeypatch):
    path = tmp_path / "requests.db"
    store = open_store(f"sqlite:///{path}")
    store.submit({**DATA, **HOSTILE})
    store.submit({**DATA, "company": "Acme\u202e ecnerefeR", "subject": "s\x1b[2J\x9b31m"})
    store.close()
    monkeypatch.setenv("CSOHELP_DB", str(path))
    return path


def cells(text: str, delimiter: str) -> list[str]:
    """Every cell a spreadsheet splitting on `delimiter` would see, quote-aware or not."""
    aware = [cell for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter) for cell in row]
    naive = [cell for line in re.split(r"[\r\n]", text) for cell in line.split(delimiter)]
    return aware + naive


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_no_csv_cell_starts_a_formula_whatever_the_separator(db, tmp_path, capsys, delimiter):
    assert main(["requests", "export", "--format", "csv", "--root", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    # Splitting lines too: a spreadsheet may cut a cell at a line break inside a field.
    for cell in cells(out, delimiter):
        for line in cell.splitlines() or [""]:
            assert not line.lstrip(' \t"').startswith(FORMULA_START), (delimiter, cell)


def test_csv_keeps_the_text_readable(db, tmp_path, capsys):
    assert main(["requests", "export", "--format", "csv", "--root", str(tmp_path)]) == 0
    row = next(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert row["company"] == "x;'=1+1;" and row["subject"].startswith("'=HYPERLINK(")
    assert row["references.order"] == "1;'-1" and row["phone"] == "'-2+3"


def test_xlsx_export_holds_every_value_as_text(db, tmp_path):
    out = tmp_path / "requests.xlsx"
    with out.open("wb") as f:
        done = subprocess.run([str(Path(sys.executable).with_name("csohelp")), "requests", "export",
                               "--format", "xlsx", "--root", str(tmp_path)], stdout=f,
                              stderr=subprocess.PIPE, text=True, env=dict(os.environ), timeout=60)
    assert done.returncode == 0, done.stderr
    sheet = load_workbook(out).active
    rows = list(sheet.iter_rows())
    header = [c.value for c in rows[0]]
    first = {name: cell for name, cell in zip(header, rows[1], strict=True)}
    assert all(c.data_type in ("s", "inlineStr") for row in rows for c in row)
    assert first["company"].value == HOSTILE["company"]
    assert first["subject"].value == HOSTILE["subject"]
    # XML reads a CR back as a line feed (its line-end normalisation); the text is otherwise exact.
    assert first["references.machine"].value == HOSTILE["references"]["machine"].replace("\r", "\n")
    assert first["description"].value == HOSTILE["description"].replace("\r\n", "\n")
    assert first["attempts"].value == "0"


def test_list_and_show_escape_what_a_terminal_would_obey(db, tmp_path, capsys):
    assert main(["requests", "list", "--root", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "\u202e" not in out and "\x1b" not in out and "\x9b" not in out
    assert "Acme\\u202e ecnerefeR" in out and "s\\u001b[2J\\u009b31m" in out
    reference = out.splitlines()[1].split()[0]
    assert main(["requests", "show", reference, "--root", str(tmp_path)]) == 0
    shown = capsys.readouterr().out
    assert "\u202e" not in shown and "\x9b" not in shown
    assert json.loads(shown)["company"] == "Acme\u202e ecnerefeR"  # still the stored value
    assert main(["requests", "export", "--root", str(tmp_path)]) == 0
    exported = capsys.readouterr().out
    assert "\u202e" not in exported and json.loads(exported)[1]["subject"] == "s\x1b[2J\x9b31m"


def test_xlsx_refuses_a_terminal(db, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    assert main(["requests", "export", "--format", "xlsx", "--root", str(tmp_path)]) == 1
    assert "redirect" in capsys.readouterr().err
