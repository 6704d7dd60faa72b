"""The read API's HTTP side, /api/v1 (what it answers: pages/web/api_answers.py).

Every call needs `Authorization: Bearer <token>` (data_access.api_tokens), is counted against
the token's per-minute limit (429 beyond it) and is audited (action api_read). A town token
sees its own town only, whatever parameter names another (403). Errors are JSON with a Chinese
`error`; a store that cannot be reached answers 503. JSON by default; CSV with `?format=csv`
or `Accept: text/csv` (cells cleaned like every export).
"""

from __future__ import annotations

import csv
import io
import sqlite3

from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from data_access import api_tokens, audit
from data_access.db import database_url, get_engine
from data_access.text import clean_for_export
from pages.web.api_answers import ENDPOINTS, PREFIX, ApiError, Call, Result, log
from pages.web.signin import client_source

AUDIT_ACTION = "api_read"
FORMULA_PREFIXES = ("=", "+", "-", "@")  # as briefing.excel: text a spreadsheet would run


def error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers)


def wants_csv(call: Call) -> bool:
    asked = call.params.get("format", "").strip().lower()
    if asked:
        if asked not in {"csv", "json"}:
            raise ApiError(400, "format 只能是 json 或 csv")
        return asked == "csv"
    return "text/csv" in call.accept.lower()


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)  # round-trips exactly: the CSV equals the JSON
    out = clean_for_export(str(value))
    return "'" + out if out.startswith(FORMULA_PREFIXES) else out


def csv_response(result: Result) -> Response:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(result.columns)
    for row in result.rows:
        writer.writerow([_cell(row.get(c)) for c in result.columns])
    # A BOM so Excel opens the Chinese text as UTF-8.
    return Response(
        "\ufeff" + buf.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'inline; filename="{result.name}.csv"'},
    )


def _bearer(header: str) -> str:
    scheme, _, secret = header.strip().partition(" ")
    return secret.strip() if scheme.lower() == "bearer" else ""


def _audit(engine, *, username: str, call: Call, ok: bool, status: int) -> None:
    try:
        audit.record(
            engine,
            username=username,
            action=AUDIT_ACTION,
            target=call.path,
            detail=f"{status} {call.query}".strip(),
            source=call.client,
            ok=ok,
        )
    except Exception:  # the answer is already decided; a failing log is logged, not raised
        log.exception("api: audit record failed for %s", call.path)


def handle(call: Call, *, url: str | None = None) -> Response:
    """Authenticate, count, compute, audit: one API call, synchronously (in a thread)."""
    username = "api:（无有效令牌）"
    engine = None
    try:
        engine = get_engine(url or database_url())
        secret = _bearer(call.authorization)
        if not secret:
            raise ApiError(401, "缺少接口令牌：请在请求头中提供 Authorization: Bearer <令牌>")
        with engine.connect() as conn:
            token = api_tokens.authenticate(conn, secret=secret)
            if token is None:
                conn.rollback()
                raise ApiError(401, "接口令牌无效或已吊销")
            username = token.principal.username
            count = api_tokens.count_call(conn, token_id=token.id)
            conn.commit()
        if count > api_tokens.rate_limit():
            wait = api_tokens.seconds_to_next_minute()
            raise ApiError(
                429,
                f"调用过于频繁：每个令牌每分钟最多 {api_tokens.rate_limit()} 次，请 {wait} 秒后重试",
                {"Retry-After": str(wait)},
            )
        endpoint = ENDPOINTS.get(call.path.rstrip("/"))
        if endpoint is None:
            raise ApiError(404, f"没有这个接口：可用 {', '.join(ENDPOINTS)}")
        as_csv = wants_csv(call)
        with engine.connect() as conn:
            result = endpoint(conn, token.principal, call.params)
        response = csv_response(result) if as_csv else JSONResponse(result.body)
        _audit(engine, username=username, call=call, ok=True, status=200)
        return response
    except ApiError as exc:
        if engine is not None and exc.status != 503:
            _audit(engine, username=username, call=call, ok=False, status=exc.status)
        return error(exc.status, exc.message, exc.headers)
    except (SQLAlchemyError, sqlite3.Error) as exc:
        log.warning("api: store unavailable for %s: %s", call.path, exc)
        return error(503, "数据库暂时无法访问，请稍后重试", {"Retry-After": "30"})
    except Exception:
        log.exception("api: unexpected error for %s", call.path)
        if engine is not None:
            _audit(engine, username=username, call=call, ok=False, status=500)
        return error(500, "服务器内部错误，请联系管理员")


async def endpoint(request: Request) -> Response:
    if request.method not in {"GET", "HEAD"}:
        return error(405, "只支持 GET 请求", {"Allow": "GET"})
    call = Call(
        path=request.url.path,
        params={k: v for k, v in request.query_params.items()},
        authorization=request.headers.get("authorization", ""),
        accept=request.headers.get("accept", ""),
        client=client_source(request),
        query=request.url.query,
    )
    return await run_in_threadpool(handle, call)


# One catch-all route: unknown paths and methods under /api/v1 also answer in JSON (and are audited).
ROUTES: list = [Route(PREFIX + "/{rest:path}", endpoint, methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"])]
