"""Lists of people at village level: masked by default, in full only for those with the
right and on request (the request is logged in data_access)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd
import streamlit as st

from pages.ui.context import current
from pages.ui.tables import table


def person_list(
    title: str,
    masked: list[dict[str, object]] | None,
    *,
    departments: Sequence[str],
    unmasked: Callable[[], list[dict[str, object]] | None],
    empty_text: str,
    key: str,
) -> None:
    ctx = current()
    f = ctx.filters
    if masked is None:
        st.info("您的账号只能查看本页的汇总数据：名单仅向责任单位和所在区镇开放。")
        return
    if not masked:
        st.success(empty_text)
        return
    can_unmask = ctx.principal.may_unmask(town=f.scope, departments=departments)
    full = can_unmask and st.toggle("显示完整个人信息（将记入审计日志）", key=f"{key}_unmask_{f.village}")
    rows = (unmasked() or masked) if full else masked
    if not can_unmask:
        st.caption("个人信息已脱敏显示。")
    table(title, pd.DataFrame(rows), export_frame=pd.DataFrame(masked))
