"""Rows for the import page's tables, with Chinese headers: a kind's columns, the batches."""

from __future__ import annotations

from typing import Any

from data_access.ingest.kinds import KINDS, FeedKind
from data_access.ingest.plan import Plan

STATUS_LABELS = {"committed": "有效", "undone": "已撤销"}


def column_rows(kind: FeedKind) -> list[dict[str, str]]:
    return [
        {
            "列名": c.header,
            "必填": "是" if c.required else "否",
            "填写要求": c.type.describe(),
            "示例": c.example,
            "也可用的列名": "、".join(c.variants),
            "说明": c.note,
        }
        for c in kind.columns
    ]


def batch_rows(batches: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for b in batches:
        kind = KINDS.get(str(b["kind"]))
        out.append(
            {
                "批次": int(b["id"]),
                "导入时间": f"{b['loaded_at']:%Y-%m-%d %H:%M}",
                "数据类型": kind.label if kind else b["kind"],
                "责任单位": b["department"],
                "文件": b["file_name"],
                "新增（行）": int(b["rows_added"]),
                "更新（行）": int(b["rows_updated"]),
                "无变化（行）": int(b["rows_unchanged"]),
                "导入人": b["loaded_by"],
                "状态": STATUS_LABELS.get(str(b["status"]), str(b["status"])),
                "撤销": f"{b['undone_at']:%Y-%m-%d %H:%M} {b['undone_by']}" if b.get("undone_at") else "",
                "SHA-256": str(b["file_sha256"])[:16] + "…",
            }
        )
    return out


def change_rows(plan: Plan) -> list[dict[str, Any]]:
    """Per column: how many updated rows change it (the dry run's field changes)."""
    return [{"字段": k, "将改变的行数": v} for k, v in plan.field_changes.items()]


def sample_rows(plan: Plan) -> list[dict[str, Any]]:
    """Old -> new for the first few changed rows of each column."""
    return [{"行号": c.row, "字段": c.field, "原值": c.old, "新值": c.new} for c in plan.samples]


def move_rows(plan: Plan) -> list[dict[str, Any]]:
    """Members that the file puts into another household: listed on their own."""
    return [
        {
            "行号": m.row,
            "姓名": m.name,
            "身份证号": m.id_number,
            "原家庭": m.old_household,
            "移入家庭": m.new_household,
            "原为户主": "是" if m.was_head else "否",
        }
        for m in plan.moves
    ]


def report_sheets(plan: Plan) -> list[tuple[str, list[dict[str, Any]]]]:
    """The dry run's tables for the Excel report, beside the problems."""
    return [("将改变的字段", change_rows(plan)), ("原值与新值", sample_rows(plan)), ("家庭变动", move_rows(plan))]
