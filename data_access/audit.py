"""The audit log: sign-ins, imports and undos, exports and packs, unmasking, changes to goals,
standards and accounts. Insert-only (the database refuses updates and deletes)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, bindparam, text

ACTIONS = {
    "sign_in": "登录成功",
    "sign_in_failed": "登录失败",
    "sign_out": "退出登录",
    "locked": "账号锁定",
    "password_changed": "修改密码",
    "unmask": "查看完整个人信息",
    "export_excel": "导出表格",
    "export_image": "导出图片",
    "meeting_pack": "生成会议材料",
    "import": "数据导入",
    "import_undo": "撤销导入",
    "goal_change": "修改目标",
    "standard_change": "新增低保标准",
    "account_change": "账号变更",
}


def record(
    engine: Engine,
    *,
    username: str,
    action: str,
    target: str = "",
    detail: str = "",
    source: str = "",
    ok: bool = True,
) -> None:
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO audit_event (at, username, action, target, detail, source, ok) "
                "VALUES (:at, :username, :action, :target, :detail, :source, :ok)"
            ),
            {
                "at": datetime.now().replace(microsecond=0),
                "username": username[:60],
                "action": action[:40],
                "target": target[:200],
                "detail": detail[:1000],
                "source": source[:100],
                "ok": ok,
            },
        )


def search(
    engine: Engine,
    *,
    username: str = "",
    actions: list[str] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 2000,
) -> list[dict[str, object]]:
    """Newest first. Every filter is a bound parameter (no text is ever pasted into SQL)."""
    clauses, params = ["1 = 1"], {"limit": limit}
    if username:
        clauses.append("username = :username")
        params["username"] = username
    if actions:
        clauses.append("action IN :actions")
        params["actions"] = actions
    if since:
        clauses.append("at >= :since")
        params["since"] = since
    if until:
        clauses.append("at <= :until")
        params["until"] = until
    stmt = text(
        "SELECT at, username, action, target, detail, source, ok FROM audit_event "
        f"WHERE {' AND '.join(clauses)} ORDER BY at DESC, id DESC LIMIT :limit"
    )
    if actions:
        stmt = stmt.bindparams(bindparam("actions", expanding=True))
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(stmt, params)]
