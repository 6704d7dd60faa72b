"""Turn store failures into a Chinese message with the cause, never a traceback."""

from __future__ import annotations

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from data_access.db import describe_url


def explain(exc: BaseException, url: str) -> str:
    cause = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:300]
    lowered = cause.lower()
    if "no such table" in lowered or ("does not exist" in lowered and "relation" in lowered):
        hint = "数据库尚未初始化：请运行 `make run`，或执行 `python -m data_access.migrate` 后导入数据。"
    elif "connect" in lowered or "unable to open" in lowered or "timeout" in lowered or "refused" in lowered:
        hint = "无法连接数据库：请检查 DATABASE_URL 配置、网络和数据库服务是否运行。"
    else:
        hint = "数据库查询失败：请稍后重试；若持续出现，请联系系统管理员。"
    return f"{hint}\n\n数据库：`{describe_url(url)}`\n\n原因：{cause}"


def show_store_error(exc: SQLAlchemyError, url: str) -> None:
    st.error(explain(exc, url), icon=":material/error:")
