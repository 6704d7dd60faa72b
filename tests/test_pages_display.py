"""What the pages display, as a leader reads it: no "None"/"nan" in any table cell or card, at
city, town and village level, for a running and a finished period; cards reconcile with tables."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from data_access.access import Principal
from data_access.db import make_engine
from metrics.domain.periods import Grain, Period, latest_complete
from tests.conftest import signed_in

APP = str(Path(__file__).resolve().parent.parent / "app.py")
PAGES = (
    "pages/overview.py",
    "pages/caseload.py",
    "pages/relief.py",
    "pages/employment.py",
    "pages/dividends.py",
    "pages/social_security.py",
    "pages/social_forces.py",
    "pages/town.py",
)
TOWN = "320583101000"  # 巴城镇
BAD = {"None", "nan", "NaN", "<NA>", "NaT", "inf"}
pytestmark = pytest.mark.usefixtures("clear_streamlit_caches")


def _displayed(element) -> pd.DataFrame:
    """The cell texts a reader sees: Styler display values where the page formats the table,
    else the values; a missing value shows as the element's placeholder in the browser (a
    Styler's na_rep does not reach it), or "None" when the element sets none."""
    frame = element.value
    frame = frame.data if hasattr(frame, "data") else frame
    shown = frame.astype(object).astype(str)
    styler = element.proto.arrow_data.styler
    if styler.display_values:
        values = pa.ipc.open_stream(io.BytesIO(styler.display_values)).read_pandas().astype(str)
        shown = pd.DataFrame(values.to_numpy(), index=frame.index, columns=frame.columns)
    missing = element.proto.placeholder if element.proto.HasField("placeholder") else "None"
    return shown.where(frame.notna(), missing)


def _data_date(url: str) -> date:
    with make_engine(url).connect() as conn:
        return date.fromisoformat(str(conn.execute(text("SELECT MAX(data_date) FROM feed_status")).scalar())[:10])


def _village(url: str) -> str:
    with make_engine(url).connect() as conn:
        return str(conn.execute(text("SELECT MIN(code) FROM village WHERE town_code = :t"), {"t": TOWN}).scalar())


@pytest.mark.parametrize("level", ["city", "town", "village"])
@pytest.mark.parametrize("running", [True, False], ids=["running", "finished"])
def test_no_page_shows_none_or_nan(monkeypatch, sqlite_demo_url, level, running):
    end = _data_date(sqlite_demo_url)
    period = Period.containing(end, Grain.QUARTER) if running else latest_complete(end, Grain.QUARTER)
    query = {"period": period.key, "scope": "city" if level == "city" else TOWN}
    if level == "village":
        query["village"] = _village(sqlite_demo_url)
    monkeypatch.setenv("DATABASE_URL", sqlite_demo_url)
    problems = []
    for page in PAGES:
        principal = Principal("minzheng", "民政局负责人", "department", department="民政局")
        at = signed_in(AppTest.from_file(APP, default_timeout=180), principal)
        for key, value in query.items():
            at.query_params[key] = value
        at.run()
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        for metric in at.metric:
            if any(word in str(metric.value) for word in BAD):
                problems.append((page, metric.label, metric.value))
        for element in at.dataframe:
            shown = _displayed(element)
            for column in shown.columns:
                bad = shown[column][shown[column].isin(BAD)]
                if len(bad):
                    problems.append((page, column, list(bad)[:3]))
        if running:
            assert any("至今" in c.value for c in at.caption), page  # a running period says so
    assert not problems, problems


def test_village_view_cards_are_the_village(monkeypatch, sqlite_demo_url):
    """With a village chosen, the caseload card shows the village's households, equal to its row."""
    monkeypatch.setenv("DATABASE_URL", sqlite_demo_url)
    village = _village(sqlite_demo_url)
    period = latest_complete(_data_date(sqlite_demo_url), Grain.QUARTER)
    runs = {}
    for chosen in (None, village):
        at = signed_in(AppTest.from_file(APP, default_timeout=180))
        at.query_params["period"] = period.key
        at.query_params["scope"] = TOWN
        if chosen:
            at.query_params["village"] = chosen
        at.run()
        at.switch_page("pages/caseload.py").run()
        assert not at.exception
        card = next(m for m in at.metric if m.label.startswith("监测对象户数"))
        runs[chosen] = int(card.value.replace(",", "").split()[0])
    with make_engine(sqlite_demo_url).connect() as conn:
        name = conn.execute(text("SELECT name FROM village WHERE code = :c"), {"c": village}).scalar()
    # The village row of the town's reconciliation table holds the same count.
    frame = next(
        (e.value.data if hasattr(e.value, "data") else e.value)
        for e in at.dataframe
        if "其中：监测对象（户）" in (e.value.data if hasattr(e.value, "data") else e.value).columns
    )
    row = frame[frame["村(社区)"] == name].iloc[0]
    assert runs[village] == row["其中：监测对象（户）"]
    assert runs[village] < runs[None]
    assert (frame["期末在册（户）"] == frame["其中：监测对象（户）"] + frame["其中：应退未退（户）"]).all() or (
        "其中：未评估收入（户）" in frame.columns
    )


def test_admin_pages_show_names_not_codes_and_chinese_placeholders(monkeypatch, sqlite_demo_url):
    from data_access import audit

    engine = make_engine(sqlite_demo_url)
    audit.record(engine, username="minzheng", action="signoff", target="relief_civil · 2026-Q3")
    audit.record(engine, username="admin", action="account_change", target="320583101000")
    monkeypatch.setenv("DATABASE_URL", sqlite_demo_url)
    admin = Principal("admin", "管理员", "admin")
    shown = {}
    for page in ("pages/admin_accounts.py", "pages/admin_audit.py"):
        at = signed_in(AppTest.from_file(APP, default_timeout=180), admin)
        at.run()
        at.switch_page(page).run()
        assert not at.exception, [e.value for e in at.exception]
        shown[page] = at
        for widget in (*at.selectbox, *at.multiselect):
            assert "Choose" not in (widget.placeholder or ""), widget.label
    accounts = next(e.value for e in shown["pages/admin_accounts.py"].dataframe)
    accounts = accounts.data if hasattr(accounts, "data") else accounts
    assert "巴城镇" in set(accounts["区镇"]) and not accounts["区镇"].astype(str).str.match(r"^\d{12}$").any()
    log = next(e.value for e in shown["pages/admin_audit.py"].dataframe)
    log = log.data if hasattr(log, "data") else log
    assert "生活救助与临时救助 · 2026-Q3" in set(log["对象"]) and "巴城镇" in set(log["对象"])
    assert not log["对象"].astype(str).str.contains(r"\b3205\d{8}\b").any()
    engine.dispose()
