"""Turn store failures into a Chinese message, never a traceback.

Everyone sees what happened in general terms; the store's address and the raw cause go to the
server log and, on the page, to administrators only (they help an attacker, not a clerk).
"""

from __future__ import annotations

import logging

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from data_access.db import describe_url, sqlite_path

log = logging.getLogger("kunshan.store")


def _cause(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return (text.splitlines() or [""])[0][:300]


def hint(exc: BaseException, url: str) -> str:
    """What happened, in words safe for anyone."""
    lowered = _cause(exc).lower()
    path = sqlite_path(url)
    if path is not None and not path.is_file():
        return "数据库文件不存在：请联系系统管理员恢复或初始化数据库，恢复后刷新本页即可。"
    if "no such table" in lowered or ("does not exist" in lowered and "relation" in lowered):
        return "数据库尚未初始化：请联系系统管理员完成初始化（步骤见系统说明文档）后导入数据。"
    if "connect" in lowered or "unable to open" in lowered or "timeout" in lowered or "refused" in lowered:
        return "暂时无法连接数据库：请稍后重试；若持续出现，请联系系统管理员。"
    return "数据库查询失败：请稍后重试；若持续出现，请联系系统管理员。"


def explain(exc: BaseException, url: str, *, details: bool = True) -> str:
    message = hint(exc, url)
    if details:
        # In code spans: the cause may quote stored text, which must not render as Markdown.
        address, cause = (t.replace("`", "'") for t in (describe_url(url), _cause(exc)))
        message += f"\n\n数据库：`{address}`\n\n原因：`{cause}`"
    return message


def _viewer_is_admin() -> bool:
    principal = st.session_state.get("_principal")
    return bool(principal is not None and getattr(principal, "is_admin", False))


def show_store_error(exc: SQLAlchemyError, url: str) -> None:
    log.error("数据库错误（%s）：%s", describe_url(url), _cause(exc))
    st.error(explain(exc, url, details=_viewer_is_admin()), icon=":material/error:")
