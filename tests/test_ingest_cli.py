"""The command line for scheduled loads: `python -m data_access.ingest`, with its exit codes
(0 done, 1 rejected with the errors in Chinese, 2 usage)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from data_access.db import get_engine
from data_access.ingest.__main__ import main
from tests.intake_support import csv_bytes, heads, seeded_store, table_counts

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    engine = seeded_store("sqlite", "ingest_cli", tmp_path_factory.mktemp("ingest_cli"))
    yield engine
    engine.dispose()


@pytest.fixture
def cli(monkeypatch, store):
    monkeypatch.setenv("DATABASE_URL", store.url.render_as_string(hide_password=False))
    get_engine.cache_clear()
    yield main
    get_engine.cache_clear()


def _file(tmp_path, name: str, rows) -> str:
    path = tmp_path / name
    path.write_bytes(csv_bytes(rows))
    return str(path)


def test_usage_errors_exit_2(cli, tmp_path, capsys):
    for argv in ([], ["x.csv"], ["x.csv", "--kind", "nope"], [str(tmp_path / "missing.csv"), "--kind", "goals"]):
        with pytest.raises(SystemExit) as caught:
            cli(argv)
        assert caught.value.code == 2, argv
    with pytest.raises(SystemExit) as caught:
        cli(["--template", "goals", "--out", str(tmp_path / "goals.txt")])
    assert caught.value.code == 2
    assert "参数错误" in capsys.readouterr().err


def test_kinds_and_templates(cli, tmp_path, capsys):
    assert cli(["--kinds"]) == 0
    assert "relief_payments" in capsys.readouterr().out
    out = tmp_path / "payments.xlsx"
    assert cli(["--template", "relief_payments", "--out", str(out)]) == 0
    assert out.read_bytes().startswith(b"PK")
    assert cli(["--template", "relief_payments", "--out", str(tmp_path / "p.csv")]) == 0
    assert (tmp_path / "p.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_dry_run_commit_undo(cli, store, tmp_path, capsys):
    ids = heads(store, 2)
    good = _file(
        tmp_path,
        "good.csv",
        [["户主身份证号", "救助类型", "发放日期", "金额（元）"], [ids[0], "临时救助", "2026-10-29", "10"]],
    )
    bad = _file(
        tmp_path,
        "bad.csv",
        [["户主身份证号", "救助类型", "发放日期", "金额（元）"], [ids[1], "临时救助", "2026-02-30", "-1"]],
    )
    before = table_counts(store)
    assert cli([good, "--kind", "relief_payments", "--dry-run"]) == 0
    assert table_counts(store) == before
    report = tmp_path / "problems.xlsx"
    assert cli([bad, "--kind", "relief_payments", "--dry-run", "--report", str(report)]) == 1
    err = capsys.readouterr().err
    assert "第 2 行 C列“发放日期”" in err and "金额不能为负数" in err and report.read_bytes().startswith(b"PK")
    assert cli([bad, "--kind", "relief_payments", "--user", "定时任务"]) == 1
    assert "未导入任何数据" in capsys.readouterr().err
    assert table_counts(store) == before

    assert cli([good, "--kind", "relief_payments", "--user", "定时任务"]) == 0
    assert "已导入批次" in capsys.readouterr().out
    assert cli([good, "--kind", "relief_payments", "--user", "定时任务"]) == 0  # again: nothing to change
    assert "没有需要写入的变化" in capsys.readouterr().out
    with store.connect() as conn:
        batch, by = conn.execute(text("SELECT id, loaded_by FROM import_batch ORDER BY id DESC")).first()
    assert by == "定时任务"
    assert cli(["--history"]) == 0
    assert cli(["--undo", str(batch), "--user", "定时任务"]) == 0
    assert cli(["--undo", str(batch)]) == 1
    assert "无法撤销" in capsys.readouterr().err
    assert table_counts(store)["relief_payment"] == before["relief_payment"]


def test_module_entry_point():
    done = subprocess.run(
        [sys.executable, "-m", "data_access.ingest", "--kind", "goals"], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 2 and "参数错误" in done.stderr


def test_an_empty_store_gets_its_reference_data_then_takes_files(monkeypatch, tmp_path, capsys):
    from tests.conftest import migrated_engine

    engine = migrated_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    get_engine.cache_clear()
    villages = _file(
        tmp_path,
        "v.csv",
        [["区镇代码", "村(社区)代码", "村(社区)名称", "类型"], ["320583101000", "320583101201", "金星村", "村"]],
    )
    assert main([villages, "--kind", "villages", "--dry-run"]) == 1  # no towns yet
    assert main(["--init-reference"]) == 0
    assert "区镇 11 个、低保标准 7 条" in capsys.readouterr().out
    assert main(["--init-reference"]) == 0
    assert "区镇 0 个、低保标准 0 条" in capsys.readouterr().out
    assert main([villages, "--kind", "villages", "--user", "民政局"]) == 0
    counts = table_counts(engine)
    assert (counts["town"], counts["living_standard"], counts["village"]) == (11, 7, 1)
    get_engine.cache_clear()
    engine.dispose()
