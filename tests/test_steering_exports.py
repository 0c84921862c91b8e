"""Steering tables leave as CSV and XLSX that a French spreadsheet opens as shown on screen, and
no name typed by someone runs as a formula there."""

from __future__ import annotations

import csv
import io
from datetime import date

import openpyxl
import pandas as pd

from lib.services import steering

# As the steering tables hold them: days and counts in object columns, None where unknown.
TABLE = pd.DataFrame(
    {
        "Territoire": ['=HYPERLINK("http://x.test")', "Étang-Vert (démo)"],
        "Dernière activité": pd.Series([date(2026, 3, 31), None], dtype=object),
        "Jours sans activité": pd.Series([90, None], dtype=object),
    }
)


def test_csv_has_french_headers_semicolons_a_bom_and_no_formula():
    rows = list(csv.reader(io.StringIO(steering.csv_bytes(TABLE).decode("utf-8-sig")), delimiter=";"))

    assert rows[0] == ["Territoire", "Dernière activité", "Jours sans activité"]
    assert rows[1] == ['\'=HYPERLINK("http://x.test")', "2026-03-31", "90"]
    assert rows[2] == ["Étang-Vert (démo)", "", ""]
    assert steering.csv_bytes(TABLE).startswith(b"\xef\xbb\xbf")


def test_xlsx_keeps_dates_as_dates_and_typed_names_as_text():
    book = openpyxl.load_workbook(io.BytesIO(steering.xlsx_bytes({"territoires-a-l-arret": TABLE})))

    sheet = book["territoires-a-l-arret"]
    assert [c.value for c in sheet[1]] == ["Territoire", "Dernière activité", "Jours sans activité"]
    assert sheet["A2"].data_type == "s" and sheet["A2"].value.startswith("'=")
    assert sheet["B2"].value.date() == date(2026, 3, 31)
    assert sheet["C2"].value == 90


def test_a_long_table_name_is_cut_to_what_a_spreadsheet_accepts():
    book = openpyxl.load_workbook(io.BytesIO(steering.xlsx_bytes({"x" * 40: TABLE})))

    assert book.sheetnames == ["x" * 31]
