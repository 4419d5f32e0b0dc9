"""Fonts, fills and formats of the workbook, built once per export and shared by every cell."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.core.export.columns import COLUMNS, Column

DATETIME_FORMAT = "yyyy/mm/dd hh:mm:ss"
DATE_FORMAT = "yyyy/mm/dd"
COUNT_FORMAT = "#,##0"
HEADER_FILL_COLOR = "1F4E78"  # dark blue; white bold text on it stays readable when printed
HEADER_FONT_COLOR = "FFFFFF"
WARNING_FONT_COLOR = "C62828"  # the window's error red: rows of a fetch that stopped early
PAPER_SIZE_A4 = 9  # ECMA-376 paper size code (openpyxl's Worksheet.PAPERSIZE_A4)


@dataclass(frozen=True)
class ExcelStyles:
    """openpyxl style objects (typed ``Any``: openpyxl ships no type hints)."""

    header_font: Any
    header_fill: Any
    header_alignment: Any
    title_font: Any
    bold_font: Any
    warning_font: Any
    top_alignment: Any
    wrap_alignment: Any
    last_column_letter: str

    @classmethod
    def create(cls) -> ExcelStyles:
        from openpyxl.styles import Alignment, Font, PatternFill
        from openpyxl.utils import get_column_letter

        return cls(
            header_font=Font(bold=True, color=HEADER_FONT_COLOR),
            header_fill=PatternFill(fill_type="solid", fgColor=HEADER_FILL_COLOR),
            header_alignment=Alignment(vertical="center", wrap_text=True),
            title_font=Font(bold=True, size=13),
            bold_font=Font(bold=True),
            warning_font=Font(bold=True, color=WARNING_FONT_COLOR),
            # Wrapped columns make rows taller; top alignment keeps each row readable as a unit.
            top_alignment=Alignment(vertical="top"),
            wrap_alignment=Alignment(vertical="top", wrap_text=True),
            last_column_letter=get_column_letter(len(COLUMNS)),
        )

    def prepare_data_sheet(self, sheet: Any) -> None:
        """Widths, frozen header and print set-up; write-only mode needs them before any row."""
        from openpyxl.utils import get_column_letter

        for index, column in enumerate(COLUMNS, 1):
            sheet.column_dimensions[get_column_letter(index)].width = column.width
        sheet.freeze_panes = "A2"
        sheet.print_title_rows = "1:1"  # the header repeats on every printed page
        prepare_print(sheet)

    def header_cell(self, sheet: Any, text: str) -> Any:
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(sheet, text)
        cell.font = self.header_font
        cell.fill = self.header_fill
        cell.alignment = self.header_alignment
        return cell

    def style_data_cell(self, cell: Any, column: Column) -> None:
        cell.alignment = self.wrap_alignment if column.wrap else self.top_alignment
        if column.is_datetime:
            cell.number_format = DATETIME_FORMAT


def prepare_print(sheet: Any) -> None:
    """A4 landscape, one page wide (as many pages tall as needed), page numbers in the footer.

    Without this a printer or LibreOffice falls back to Letter at 100 %, and the 一覧 sheet spans
    several page widths: 原因 and 対応 then print hundreds of pages after the addresses they
    explain. Write-only sheets need it before the first row.
    """
    from openpyxl.worksheet.page import PageMargins

    sheet.page_setup.paperSize = PAPER_SIZE_A4
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # 0 = no limit: long lists continue on more pages
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_margins = PageMargins(
        left=0.4, right=0.4, top=0.6, bottom=0.6, header=0.3, footer=0.3
    )
    sheet.oddFooter.center.text = "&P / &N"
