"""Column types of the feed templates: each turns one cell into a stored value or says, in
Chinese, why it cannot. Cells arrive as openpyxl gives them (str, int, float, datetime,
bool, None) or as CSV text; both take the same path.

Money is written in yuan with at most 2 decimals and stored as integer fen; Decimal is used
throughout so that 0.1 + 0.2 never becomes 30.000000000000004 fen.

Split by what the column holds: cells (reading a cell), basic (text, codes, numbers, money),
dates, choices (flags, choices, IDs, years, periods); import them from here.
"""

from data_access.ingest.fields.basic import Code, FieldType, Integer, Money, Number, Phone, Text
from data_access.ingest.fields.cells import (
    EARLIEST,
    EXCEL_EPOCH,
    EXCEL_ERRORS,
    MAX_SERIAL,
    MIN_SERIAL,
    CellError,
    ExcelError,
    Formula,
    ParseContext,
    as_text,
    excel_error,
    is_empty,
    number_text,
)
from data_access.ingest.fields.choices import FALSE_WORDS, TRUE_WORDS, Choice, Flag, IdNumber, PeriodKey, Year
from data_access.ingest.fields.dates import Day, Moment

__all__ = [
    "EARLIEST",
    "EXCEL_EPOCH",
    "EXCEL_ERRORS",
    "FALSE_WORDS",
    "MAX_SERIAL",
    "MIN_SERIAL",
    "TRUE_WORDS",
    "CellError",
    "Choice",
    "Code",
    "Day",
    "ExcelError",
    "FieldType",
    "Flag",
    "Formula",
    "IdNumber",
    "Integer",
    "Moment",
    "Money",
    "Number",
    "ParseContext",
    "PeriodKey",
    "Phone",
    "Text",
    "Year",
    "as_text",
    "excel_error",
    "is_empty",
    "number_text",
]
