"""Masking of personal data (个人信息保护法): the default for every list the app shows."""

from __future__ import annotations


def mask_name(name: str) -> str:
    """张*明 for three characters, 张* for two, 欧**华 for four: keep the first and last."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_id_number(value: str) -> str:
    """320583********1234: area code and the last four stay, the birth date goes."""
    value = (value or "").strip()
    if len(value) < 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    """138****5678."""
    value = (value or "").strip()
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]
