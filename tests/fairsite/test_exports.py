"""Every CSV the site writes goes through ``fairsite.exports``."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from fairsite.exports import csv_response, safe_cell

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("fairsite", "exhibitors", "matchmaking", "meetings")


def test_no_other_module_writes_csv():
    writers = []
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if path.name == "exports.py" and path.parent.name == "fairsite":
                continue
            text = path.read_text(encoding="utf-8")
            if re.search(r"^\s*(import csv|from csv import)", text, re.M) or "text/csv" in text:
                writers.append(str(path.relative_to(ROOT)))
    assert not writers, f"CSV written outside fairsite/exports.py: {writers}"


@pytest.mark.parametrize(
    "value",
    ["=1+2", "+1", "-1", "@SUM(A1)", "\t=x", "\r=x", "a;=1+2", "a, =1", 'b;+HYPERLINK("x")'],
)
def test_formula_like_cells_become_text(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["Tanaka", "1,500,000", "2026-10-20T09:00:00+00:00", 12, 1.5])
def test_ordinary_cells_are_unchanged(value):
    assert safe_cell(value) == value


def test_csv_response_has_a_bom_and_safe_cells():
    response = csv_response(filename="x.csv", header=["a", "b"], rows=[["a;=1+2", 3]])
    content = response.content.decode("utf-8")
    assert content.startswith("\ufeff")
    assert list(csv.reader(io.StringIO(content[1:]))) == [["a", "b"], ["'a;=1+2", "3"]]
    assert response["Content-Disposition"] == 'attachment; filename="x.csv"'
