"""GET /healthz: is this app process fit to serve? For load balancers and monitoring.

Four checks, JSON, no secrets (no store address, no raw error text):
- store: a connection and `SELECT 1`;
- migrations: the store's Alembic revision is the code's head;
- facts: the fact layer covers every month up to the latest data date, built with the
  standards and settings in force (the cheap part of `python -m data_access.analytics check`:
  it reads `analytics_month`, not the facts themselves);
- image_export: kaleido and a Chromium are installed (looked up, cached; no image is drawn).
200 when the store, migrations and facts pass (status "ok", or "degraded" when only image
export is missing: the figures are right, only PNG/PDF exports fail, so a balancer keeps the
process), 503 naming the failed checks otherwise. Nothing is cached about the store,
so a removed SQLite file is reported at once and the next call after it is back passes.
"""

from __future__ import annotations

import importlib.util
import logging
import time
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, select, text
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from data_access.analytics import freshness
from data_access.analytics.refresh import STATE
from data_access.db import database_url, get_engine

log = logging.getLogger("kunshan.health")
IMAGE_CHECK_SECONDS = 300  # a Chromium installed later is seen within five minutes
_image_cache: tuple[float, dict[str, Any]] | None = None


@dataclass
class Check:
    ok: bool
    detail: str
    extra: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "detail": self.detail, **self.extra}


@lru_cache(maxsize=1)
def code_heads() -> tuple[str, ...]:
    """The migration head(s) of this code (read once per process: code does not change)."""
    from alembic.script import ScriptDirectory

    from data_access.migrate import alembic_config

    return tuple(sorted(ScriptDirectory.from_config(alembic_config()).get_heads()))


def check_migrations(conn: Connection) -> Check:
    from alembic.runtime.migration import MigrationContext

    current = tuple(sorted(MigrationContext.configure(conn).get_current_heads()))
    heads = code_heads()
    extra = {"head": ",".join(heads), "current": ",".join(current) or None}
    if current == heads:
        return Check(True, "数据库结构为最新版本", extra)
    return Check(False, "数据库结构不是最新版本：请运行 python -m data_access.migrate", extra)


def check_facts(conn: Connection) -> Check:
    """Every month from the first built to the latest data date's month is built with the
    rules in force (as refresh would leave it); a month built otherwise is read from raw rows,
    so stale facts cost speed, not correctness — but they mean a refresh did not run."""
    if conn.execute(select(STATE.c.id)).first() is None:
        return Check(True, "未启用统计事实表：指标直接读取原始数据", {"enabled": False})
    last = freshness.data_month(conn)
    if last is None:
        return Check(True, "尚无数据", {"enabled": True, "built_through": None})
    stale = [f"{m // 100}-{m % 100:02d}" for m in freshness.stale_months(conn)]
    through = freshness.built_through(conn)
    extra = {
        "enabled": True,
        "built_through": f"{through // 100}-{through % 100:02d}" if through else None,
        "data_month": f"{last // 100}-{last % 100:02d}",
        "stale_months": stale[:24],
    }
    if stale:
        return Check(False, f"统计事实表有 {len(stale)} 个月未按现行标准和设置更新", extra)
    return Check(True, "统计事实表已更新到最新数据月份", extra)


def check_image_export(*, now: float | None = None) -> Check:
    """kaleido importable and a Chromium on PATH; cached for IMAGE_CHECK_SECONDS."""
    global _image_cache
    now = time.monotonic() if now is None else now
    if _image_cache is None or now - _image_cache[0] > IMAGE_CHECK_SECONDS:
        from briefing.images import chromium_path

        kaleido = importlib.util.find_spec("kaleido") is not None
        chromium = chromium_path() is not None
        _image_cache = (now, {"kaleido": kaleido, "chromium": chromium})
    found = _image_cache[1]
    if found["kaleido"] and found["chromium"]:
        return Check(True, "可在服务器端生成图片和 PDF", dict(found))
    return Check(False, "服务器端图片导出不可用：请安装 chromium 和 fonts-noto-cjk", dict(found))


# Checks whose failure degrades the service but does not take the process out of rotation.
OPTIONAL = frozenset({"image_export"})


def health(url: str | None = None) -> tuple[int, dict[str, Any]]:
    """(HTTP status, body) for the configured store."""
    url = url or database_url()
    checks: dict[str, Check] = {}
    try:
        engine = get_engine(url)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            checks["store"] = Check(True, "数据库可访问", {"backend": engine.dialect.name})
            checks["migrations"] = check_migrations(conn)
            if checks["migrations"].ok:
                checks["facts"] = check_facts(conn)
            else:
                checks["facts"] = Check(False, "数据库结构不是最新版本，未检查")
    except Exception as exc:  # any failure to reach the store is the same answer to a balancer
        log.warning("healthz: store check failed: %s", exc)
        missing = "数据库文件不存在" in str(exc)
        checks["store"] = Check(False, "数据库文件不存在" if missing else "无法连接数据库")
        checks.setdefault("migrations", Check(False, "数据库不可用，未检查"))
        checks.setdefault("facts", Check(False, "数据库不可用，未检查"))
    checks["image_export"] = check_image_export()
    failed = [name for name, c in checks.items() if not c.ok]
    serving = not set(failed) - OPTIONAL
    body = {
        "status": "fail" if not serving else ("degraded" if failed else "ok"),
        "failed": failed,
        "checks": {name: c.as_json() for name, c in checks.items()},
    }
    return (200 if serving else 503), body


async def healthz(request: Request) -> JSONResponse:
    status, body = await run_in_threadpool(health)
    return JSONResponse(body, status_code=status, headers={"Cache-Control": "no-store"})


ROUTES: list = [Route("/healthz", healthz, methods=["GET"])]
