"""Resident ID numbers (GB 11643-1999): normalisation, check character, embedded birth date and sex."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from operator import mul

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
_SHAPE = re.compile(r"^[0-9]{17}[0-9X]$")  # ASCII only: \d would take Arabic-Indic digits


def normalise(text: str) -> str:
    """Full-width digits and letters to ASCII, spaces and hyphens dropped, x to X."""
    return re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", text)).upper()


def check_char(first17: str) -> str:
    """The 18th character the first 17 digits call for."""
    return CHECK_CHARS[sum(map(mul, map(int, first17), WEIGHTS)) % 11]


def problem(number: str, *, today: date) -> str | None:
    """Why a normalised ID number is not valid, in Chinese; None when it is."""
    if len(number) == 15 and number.isdigit():
        return "这是 15 位旧身份证号，请换成 18 位身份证号"
    if not _SHAPE.match(number):
        return f"身份证号应为 18 位（前 17 位为数字，末位为数字或 X），现为 {len(number)} 位"
    born = birth_date(number)
    if born is None:
        return "身份证号中的出生日期（第 7–14 位）不是有效日期"
    if born > today or born.year < 1900:
        return "身份证号中的出生日期（第 7–14 位）不合理"
    expected = check_char(number[:17])
    if number[17] != expected:
        return f"身份证号校验位错误：按前 17 位末位应为 {expected}，请核对号码"
    return None


def birth_date(number: str) -> date | None:
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def sex(number: str) -> str:
    """男 when the 17th digit is odd, else 女."""
    return "男" if int(number[16]) % 2 else "女"
