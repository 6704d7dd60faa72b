"""Passwords: bcrypt hashing (long passwords pre-hashed so every character counts), a check
that takes as long when there is nothing to check (no timing oracle), and the strength rule:
12 to 256 characters, no composition rules, refused when common or rated weak by zxcvbn
(NIST SP 800-63B)."""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache

import bcrypt
import zxcvbn

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256  # long passphrases are welcome; this only bounds the work per attempt
MIN_STRENGTH = 3  # zxcvbn score 0-4: 3 = "safely unguessable" for an online attack
# Words an attacker would try first against this system.
CONTEXT_WORDS = ("kunshan", "昆山", "suzhou", "苏州", "jiangsu", "江苏", "poverty", "dashboard", "admin", "demo")
# zxcvbn's main warnings in Chinese; anything else gets the generic advice.
STRENGTH_WARNINGS = {
    "Straight rows of keys are easy to guess.": "键盘上连成一排的按键很容易被猜到。",
    "Short keyboard patterns are easy to guess.": "简短的键盘组合很容易被猜到。",
    'Repeats like "aaa" are easy to guess.': "“aaa”这样的重复字符很容易被猜到。",
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".': (
        "“abcabcabc”这样的重复并不比“abc”难猜多少。"
    ),
    'Sequences like "abc" or "6543" are easy to guess.': "“abc”“6543”这样的顺序字符很容易被猜到。",
    "Recent years are easy to guess.": "近年的年份很容易被猜到。",
    "Dates are often easy to guess.": "日期通常很容易被猜到。",
    "This is a top-10 common password.": "这是最常用的 10 个密码之一。",
    "This is a top-100 common password.": "这是最常用的 100 个密码之一。",
    "This is a very common password.": "这是非常常用的密码。",
    "This is similar to a commonly used password.": "与常用密码过于相似。",
    "A word by itself is easy to guess.": "单独一个词很容易被猜到。",
    "Names and surnames by themselves are easy to guess.": "单独的姓名很容易被猜到。",
    "Common names and surnames are easy to guess.": "常见姓名很容易被猜到。",
}
STRENGTH_ADVICE = "建议使用由几个不相关的词组成的长句（可含空格和汉字），避免姓名、年份、地名和常用密码。"


class SignInError(ValueError):
    pass


def _bcrypt_input(password: str) -> bytes:
    """bcrypt reads at most 72 bytes (and bcrypt 5 refuses more): longer passwords are
    pre-hashed, so every character counts. Deterministic, so checking uses the same rule."""
    raw = password.encode("utf-8")
    return raw if len(raw) <= 72 else base64.b64encode(hashlib.sha256(raw).digest())


def hash_password(password: str) -> str:
    return bcrypt.hashpw(_bcrypt_input(password), bcrypt.gensalt(rounds=12)).decode("ascii")


def _password_matches(password: str, stored: str) -> bool:
    return bool(stored) and bcrypt.checkpw(_bcrypt_input(password), stored.encode("ascii"))


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hash_password("no account has this password")


def _spend_same_time(password: str) -> None:
    """Refusals that need no password check still take as long as one (no timing oracle)."""
    _password_matches(password, _dummy_hash())


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])  # 30,000 most common, lower case


def check_password_strength(password: str, *, user_inputs: tuple[str, ...] = ()) -> None:
    """Length (12 to 256), no composition rules, and strength by zxcvbn against common passwords,
    words, names, dates, keyboard patterns and this system's own words (NIST SP 800-63B)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise SignInError(f"密码至少 {MIN_PASSWORD_LENGTH} 个字符（可以是一句话，含空格和汉字）")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise SignInError(f"密码最多 {MAX_PASSWORD_LENGTH} 个字符")
    if password.lower() in _common_passwords():
        raise SignInError(f"这是常用密码，容易被猜到。{STRENGTH_ADVICE}")
    inputs = [w for w in (*CONTEXT_WORDS, *user_inputs) if w]
    result = zxcvbn.zxcvbn(password[:72], user_inputs=inputs)  # the first 72 characters bound the work
    if result["score"] < MIN_STRENGTH:
        warning = STRENGTH_WARNINGS.get(result["feedback"].get("warning", ""), "密码强度不足，容易被猜到。")
        raise SignInError(f"{warning}{STRENGTH_ADVICE}")
