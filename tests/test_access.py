"""Access control, personal data and audit (the sign-in form itself is driven in Chromium,
tests/test_browser.py): sign-in and lockout, session timeout, the
role-by-page-by-export matrix, masking and logged unmasking, injection attempts, and the
append-only audit log — on SQLite and PostgreSQL where the store is involved."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from streamlit.testing.v1 import AppTest

from briefing.build import PackError, meeting_pack
from data_access import accounts, audit
from data_access.access import AccessDenied, Principal
from data_access.db import make_engine
from data_access.queries import households
from tests.conftest import signed_in

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
BACHENG = "320583101000"
ZHOUSHI = "320583102000"
LEADER = Principal("leader", "领导", "leader")
CIVIL = Principal("minzheng", "民政局", "department", department="民政局")
LABOUR = Principal("renshe", "人社局", "department", department="人社局")
TOWN = Principal("bacheng", "巴城镇", "town", town_code=BACHENG)
ADMIN = Principal("admin", "管理员", "admin")
ROLES = {"leader": LEADER, "civil": CIVIL, "labour": LABOUR, "town": TOWN, "admin": ADMIN}
PAGES = [
    "pages/overview.py",
    "pages/caseload.py",
    "pages/relief.py",
    "pages/employment.py",
    "pages/dividends.py",
    "pages/social_security.py",
    "pages/social_forces.py",
    "pages/town.py",
    "pages/briefing.py",
    "pages/definitions.py",
]
FULL_ID = re.compile(r"\b320583\d{11}[\dX]\b")
MASKED_ID = re.compile(r"^320583\*{8}\d{3}[\dX]$")


# -- accounts -------------------------------------------------------------------------------


def test_sign_in_lockout_and_audit(empty_engine):
    accounts.create_account(
        empty_engine, username="clerk", display_name="办事员", role="leader", password="Correct-horse-9", by="test"
    )
    ok = accounts.authenticate(empty_engine, username="clerk", password="Correct-horse-9")
    assert ok.principal.role == "leader" and ok.must_change_password
    start = datetime.now()
    for _ in range(accounts.MAX_FAILURES - 1):
        with pytest.raises(accounts.SignInError, match="用户名或密码错误"):
            accounts.authenticate(empty_engine, username="clerk", password="wrong", now=start)
    with pytest.raises(accounts.SignInError, match="锁定"):
        accounts.authenticate(empty_engine, username="clerk", password="wrong", now=start)
    # Locked: even the right password is refused until the lock expires.
    with pytest.raises(accounts.SignInError, match="锁定"):
        accounts.authenticate(
            empty_engine, username="clerk", password="Correct-horse-9", now=start + timedelta(minutes=5)
        )
    later = start + timedelta(minutes=accounts.LOCK_MINUTES + 1)
    assert accounts.authenticate(empty_engine, username="clerk", password="Correct-horse-9", now=later).principal
    events = [e["action"] for e in audit.search(empty_engine, username="clerk")]
    assert events.count("sign_in_failed") == accounts.MAX_FAILURES - 1 + 1  # four wrong, one while locked
    assert events.count("locked") == 1 and events.count("sign_in") == 2
    with empty_engine.connect() as conn:
        stored = conn.execute(text("SELECT password_hash FROM user_account WHERE username = 'clerk'")).scalar()
    assert stored.startswith("$2") and "Correct-horse-9" not in stored  # a bcrypt hash, never the password


def test_weak_passwords_are_refused(empty_engine):
    with pytest.raises(accounts.SignInError, match="至少"):
        accounts.create_account(empty_engine, username="a", display_name="a", role="leader", password="short")
    # No composition rules any more: strength is judged by zxcvbn (tests/test_hardening_auth.py).
    with pytest.raises(accounts.SignInError, match="容易被猜到"):
        accounts.create_account(empty_engine, username="a", display_name="a", role="leader", password="alllowercase")


def test_audit_log_is_append_only(empty_engine):
    audit.record(empty_engine, username="x", action="sign_in")
    for statement in ("UPDATE audit_event SET username = 'y'", "DELETE FROM audit_event"):
        with pytest.raises(DBAPIError), empty_engine.begin() as conn:
            conn.execute(text(statement))
    assert [e["username"] for e in audit.search(empty_engine)] == ["x"]


def test_injection_text_in_audit_search_is_only_a_value(empty_engine):
    audit.record(empty_engine, username="x", action="sign_in")
    assert audit.search(empty_engine, username="' OR 1=1 --") == []
    assert len(audit.search(empty_engine, username="x")) == 1


# -- data access below the pages ------------------------------------------------------------


def _village_household_ids(conn, town: str) -> tuple[str, list[int]]:
    (village,) = conn.execute(
        text("SELECT village_code FROM household WHERE town_code = :t LIMIT 1"), {"t": town}
    ).one()
    ids = [r[0] for r in conn.execute(text("SELECT id FROM household WHERE village_code = :v"), {"v": village})]
    return village, ids


def test_lists_are_masked_and_unmasking_is_a_logged_right(demo_engine):
    with demo_engine.connect() as conn:
        _, ids = _village_household_ids(conn, BACHENG)
        kwargs = {"towns": (BACHENG,), "ids": ids, "departments": ("民政局",)}
        for principal in (LEADER, CIVIL, TOWN):
            rows = households.households(conn, principal=principal, **kwargs)
            assert rows and all(MASKED_ID.match(str(r["id_number"])) for r in rows)
        # Asking to unmask without the right still returns masked data.
        rows = households.households(conn, principal=LEADER, unmask=True, **kwargs)
        assert all(MASKED_ID.match(str(r["id_number"])) for r in rows)
        # The town's own operator may, and it is logged.
        rows = households.households(conn, principal=TOWN, unmask=True, **kwargs)
        assert all(FULL_ID.fullmatch(str(r["id_number"])) for r in rows)
        with pytest.raises(AccessDenied):
            households.households(conn, principal=LABOUR, **kwargs)  # not the caseload department
        with pytest.raises(AccessDenied):
            households.households(conn, principal=Principal("z", "周市", "town", town_code=ZHOUSHI), **kwargs)
    unmasks = [e for e in audit.search(demo_engine, actions=["unmask"]) if e["username"] == "bacheng"]
    assert unmasks and unmasks[0]["target"] == BACHENG


def test_meeting_pack_refuses_a_town_outside_the_users_scope(demo_engine):
    with demo_engine.connect() as conn:
        with pytest.raises(PackError, match="无权"):
            meeting_pack(conn, period="2026-Q3", scope="周市镇", fmt="pptx", towns=(BACHENG,))
        data, name = meeting_pack(conn, period="2026-Q3", scope="巴城镇", fmt="pptx", towns=(BACHENG,))
    assert name.startswith("会议材料_巴城镇") and data


# -- pages as each role ---------------------------------------------------------------------


def _run(monkeypatch, url: str, principal: Principal, page: str, **query: str) -> AppTest:
    monkeypatch.setenv("DATABASE_URL", url)
    at = signed_in(AppTest.from_file(APP, default_timeout=180), principal)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _all_text(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [m.value for m in at.metric]
    for df in at.dataframe:
        value = df.value
        frame = value.data if hasattr(value, "data") else value
        parts.append(frame.to_csv())
    return "\n".join(str(p) for p in parts)


def _a_village_with_warnings(url: str, town: str) -> str:
    """The village with the most households: the likeliest to have flagged ones."""
    engine = make_engine(url)
    with engine.connect() as conn:
        return conn.execute(
            text(
                "SELECT village_code FROM household WHERE town_code = :t GROUP BY village_code ORDER BY COUNT(*) DESC"
            ),
            {"t": town},
        ).first()[0]


@pytest.mark.usefixtures("clear_streamlit_caches")
@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("page", PAGES)
def test_role_by_page_matrix(monkeypatch, sqlite_demo_url, role, page):
    principal = ROLES[role]
    village = _a_village_with_warnings(sqlite_demo_url, BACHENG)
    # Every role tries a link into 巴城镇's village and one into 周市镇.
    at = _run(monkeypatch, sqlite_demo_url, principal, page, period="2026-Q3", scope=BACHENG, village=village)
    body = _all_text(at)
    assert not FULL_ID.search(body), "no page shows a full ID number unasked"
    other = _run(monkeypatch, sqlite_demo_url, principal, page, period="2026-Q3", scope=ZHOUSHI)
    if role == "town":
        assert other.query_params["scope"] == BACHENG  # another town's link falls back to the own town
        assert "周市镇" not in _all_text(other)
        exported = other.session_state["_export_tables"] if "_export_tables" in other.session_state else []  # noqa: SIM401
        for _, frame in exported:
            assert "周市镇" not in frame.to_csv()
    else:
        assert other.query_params["scope"] == ZHOUSHI


@pytest.mark.usefixtures("clear_streamlit_caches")
def test_lists_by_role_on_the_caseload_page(monkeypatch, sqlite_demo_url):
    village = _a_village_with_warnings(sqlite_demo_url, BACHENG)
    query = {"period": "2026-10", "scope": BACHENG, "village": village}
    labour = _run(monkeypatch, sqlite_demo_url, LABOUR, "pages/caseload.py", **query)
    assert any("只能查看本页的汇总数据" in i.value for i in labour.info)
    leader = _run(monkeypatch, sqlite_demo_url, LEADER, "pages/caseload.py", **query)
    assert not leader.toggle, "the leading group sees lists masked, without an unmask switch"
    town = _run(monkeypatch, sqlite_demo_url, TOWN, "pages/caseload.py", **query)
    assert town.toggle, "the town's operator may unmask"
    town.toggle[0].set_value(True).run()
    assert not town.exception
    assert FULL_ID.search(_all_text(town)), "unmasked on request"
    # The export of the same page stays masked.
    exported = dict(town.session_state["_export_tables"])
    listing = exported["预警家庭名单"]
    assert all(MASKED_ID.match(v) for v in listing["身份证号"])


@pytest.mark.usefixtures("clear_streamlit_caches")
def test_admin_pages_only_for_admins(monkeypatch, sqlite_demo_url):
    for principal in (LEADER, TOWN):
        at = _run(monkeypatch, sqlite_demo_url, principal, "pages/overview.py")
        for page in ("pages/admin_audit.py", "pages/admin_accounts.py", "pages/import_data.py", "pages/goals.py"):
            at.switch_page(page).run()
            assert any("仅管理员" in e.value for e in at.error), page
    admin = _run(monkeypatch, sqlite_demo_url, ADMIN, "pages/admin_accounts.py")
    accounts_table = admin.dataframe[0].value
    assert {"leader", "admin", "bacheng"} <= set(accounts_table["用户名"])


@pytest.mark.usefixtures("clear_streamlit_caches")
def test_idle_session_times_out(monkeypatch, sqlite_demo_url):
    monkeypatch.setenv("DATABASE_URL", sqlite_demo_url)
    at = signed_in(AppTest.from_file(APP, default_timeout=120))
    at.session_state["_last_seen"] = datetime.now() - timedelta(minutes=31)
    at.run()
    assert any("未操作" in i.value for i in at.info)
    assert [str(b.proto.url) for b in at.get("link_button")] == ["/signin?next=%2F"]
    assert not at.metric


@pytest.mark.usefixtures("clear_streamlit_caches")
@pytest.mark.parametrize(
    "query",
    [
        {"period": "2025'; DROP TABLE town; --", "scope": "city"},
        {"period": "2026-Q3", "scope": "' OR '1'='1"},
        {"period": "2026-Q3", "scope": BACHENG, "village": "x' UNION SELECT head_id_number FROM household --"},
    ],
)
def test_injection_through_query_parameters(monkeypatch, sqlite_demo_url, query):
    at = _run(monkeypatch, sqlite_demo_url, LEADER, "pages/caseload.py", **query)
    assert not FULL_ID.search(_all_text(at))
    engine = make_engine(sqlite_demo_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM town")).scalar() == 11


def test_no_text_is_rendered_as_html():
    """No page may pass user or imported text through unsafe_allow_html or st.html."""
    style = ROOT / "pages" / "ui" / "style.py"
    for path in [*ROOT.glob("pages/**/*.py"), ROOT / "app.py"]:
        source = path.read_text(encoding="utf-8")
        assert "unsafe_allow_html=True" not in source, path
        if path == style:
            # The one stylesheet: st.html of a fixed module constant, nothing else.
            assert source.count("st.html(") == 1 and "st.html(CSS)" in source, path
            assert '\nCSS = """' in source and 'f"""' not in source, path  # a literal, not a template
            continue
        assert "st.html(" not in source, path
