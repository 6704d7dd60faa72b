"""Issue 11, the store side of sign-in and audit, on SQLite and PostgreSQL: the lockout under
real parallel attempts, what a failed sign-in leaves in the audit log, REPLACE and friends
against the audit table, the hash chain against an edited, a deleted and an inserted entry,
the password rule, and that only migrations create a SQLite store."""

from __future__ import annotations

import threading
from datetime import datetime

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, OperationalError

from data_access import accounts, audit
from data_access.db import create_store_file, make_engine
from data_access.migrate import alembic_config, upgrade
from tests.conftest import fresh_store_url

PASSWORD = "lantern river quietly 1987"
# Characters a user name must never carry into the store: C0, DEL, C1 and direction overrides.
FORBIDDEN = [chr(c) for c in (*range(0x20), *range(0x7F, 0xA0))] + ["\u202e", "\u2066", "\u200f", "\u061c"]


def _account(engine, username: str = "clerk") -> None:
    accounts.create_account(
        engine, username=username, display_name="办事员", role="leader", password=PASSWORD, by="test"
    )


def _counter(engine, username: str = "clerk") -> tuple[int, object]:
    with engine.connect() as conn:
        return tuple(
            conn.execute(
                text("SELECT failed_attempts, locked_until FROM user_account WHERE username = :u"), {"u": username}
            ).one()
        )


def _in_parallel(n: int, work) -> list[BaseException | None]:
    """Run work(i) in n threads released together; each uses its own pooled connection."""
    barrier = threading.Barrier(n)
    outcomes: list[BaseException | None] = [None] * n

    def run(i: int) -> None:
        barrier.wait()
        try:
            work(i)
        except BaseException as exc:  # collected, asserted by the caller
            outcomes[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return outcomes


# -- finding 1: the lockout counter ---------------------------------------------------------


def test_ten_simultaneous_wrong_passwords_lock_the_account(empty_engine):
    _account(empty_engine)
    outcomes = _in_parallel(
        10, lambda i: accounts.authenticate(empty_engine, username="clerk", password=f"wrong-{i}", source=f"t{i}")
    )
    assert all(isinstance(o, accounts.SignInError) for o in outcomes), outcomes
    count, locked_until = _counter(empty_engine)
    # Attempts count as they start, so the five that started before the lock are all counted
    # and the rest found it locked; never a lost update.
    assert count == accounts.MAX_FAILURES and locked_until is not None
    with pytest.raises(accounts.SignInError):
        accounts.authenticate(empty_engine, username="clerk", password=PASSWORD)  # locked: the right one too
    failures = [e for e in audit.search(empty_engine, username="clerk") if not e["ok"]]
    assert len(failures) == 11  # every attempt is logged, none lost
    assert [e["action"] for e in failures].count("locked") == 1
    assert audit.verify(empty_engine).ok  # eleven parallel appends, one unbroken chain


def test_counter_is_exact_below_the_lock(empty_engine):
    _account(empty_engine)
    outcomes = _in_parallel(4, lambda i: accounts.authenticate(empty_engine, username="clerk", password="nope"))
    assert all(isinstance(o, accounts.SignInError) for o in outcomes)
    assert _counter(empty_engine) == (4, None)
    assert accounts.authenticate(empty_engine, username="clerk", password=PASSWORD).principal.username == "clerk"
    assert _counter(empty_engine) == (0, None)


def test_parallel_appends_keep_one_chain(empty_engine):
    _in_parallel(12, lambda i: [audit.record(empty_engine, username=f"u{i}", action="export_excel") for _ in range(5)])
    result = audit.verify(empty_engine)
    assert result.ok and result.entries == 60


# -- findings 2 and 11: what a failed sign-in tells and leaves -----------------------------


def test_unknown_locked_and_wrong_give_the_same_message(empty_engine):
    _account(empty_engine)
    messages = set()
    for _ in range(accounts.MAX_FAILURES + 1):
        with pytest.raises(accounts.SignInError) as wrong:
            accounts.authenticate(empty_engine, username="clerk", password="wrong")
        messages.add(str(wrong.value))
    assert _counter(empty_engine)[1] is not None  # it is locked now
    with pytest.raises(accounts.SignInError) as unknown:
        accounts.authenticate(empty_engine, username="nobody", password="wrong")
    messages.add(str(unknown.value))
    assert messages == {accounts.SIGN_IN_FAILED}


def test_a_password_typed_as_user_name_is_not_stored(empty_engine):
    _account(empty_engine)
    typed = "Secret-Lantern-77"
    with pytest.raises(accounts.SignInError):
        accounts.authenticate(empty_engine, username=typed, password="")
    with empty_engine.connect() as conn:
        rows = conn.execute(text("SELECT username, target, detail, source FROM audit_event")).all()
    stored = "\n".join("\t".join(map(str, r)) for r in rows)
    assert typed not in stored and typed[1:6] not in stored
    assert rows[-1][0].startswith("S***") and f"{len(typed)} 个字符" in rows[-1][0]


@pytest.mark.parametrize("char", sorted({*FORBIDDEN[:: max(1, len(FORBIDDEN) // 12)], "\x07", "\n", "\u202e"}))
def test_control_characters_in_a_typed_user_name_never_reach_the_store(empty_engine, char):
    _account(empty_engine)
    for name in (f"cl{char}erk", f"clerk{char}", f"{char}x"):
        with pytest.raises(accounts.SignInError):
            accounts.authenticate(empty_engine, username=name, password=PASSWORD, source=f"10.0.0.1{char}")
    audit.record(empty_engine, username=f"a{char}b", action="export_excel", detail=f"x{char}y\nz")
    with empty_engine.connect() as conn:
        rows = conn.execute(text("SELECT username, action, target, detail, source FROM audit_event")).all()
    for row in rows:
        for value in row:
            assert not any(c in FORBIDDEN and c != "\n" for c in value), repr(value)
    # Replaced visibly; a detail keeps its line breaks.
    assert rows[-1][3] == "x" + ("\n" if char == "\n" else "\ufffd") + "y\nz"
    assert _counter(empty_engine)[0] == 0  # a name that is not a valid user name never counts


def test_account_names_are_checked_when_created(empty_engine):
    for bad in ("ad\x07min", "admin\u202e", "a b", "[点此](http://x.example)"):
        with pytest.raises(accounts.SignInError, match="用户名"):
            accounts.create_account(empty_engine, username=bad, display_name="x", role="leader", password=PASSWORD)
    with pytest.raises(accounts.SignInError, match="控制字符"):
        accounts.create_account(empty_engine, username="ok", display_name="王\x1b五", role="leader", password=PASSWORD)


# -- finding 11(e): the password rule -------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("Password1!", "至少 12"),
        ("Kunshan2026", "至少 12"),
        ("Kunshan2026!", "容易被猜到"),  # long enough, but the place and a year
        ("Password123!", "常用密码"),
        ("qwertyuiop12", "键盘|常用|容易被猜到"),
        ("aaaaaaaaaaaaaaa", "重复"),
    ],
)
def test_weak_passwords_are_refused_in_chinese(password, reason):
    with pytest.raises(accounts.SignInError, match=reason):
        accounts.check_password_strength(password)


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery staple",
        "我家门前有两棵枣树另一棵也是",
        "lantern-river-quietly-walks-home-" * 3,  # 99 characters: longer than bcrypt's 72 bytes
    ],
)
def test_passphrases_are_accepted_and_sign_in(empty_engine, password):
    accounts.check_password_strength(password)
    accounts.create_account(empty_engine, username="pp", display_name="短语", role="leader", password=password)
    assert accounts.authenticate(empty_engine, username="pp", password=password).principal.username == "pp"
    with pytest.raises(accounts.SignInError):
        accounts.authenticate(empty_engine, username="pp", password=password[:-1] + "?")


def test_the_users_own_name_makes_a_password_weak():
    accounts.check_password_strength("zhangweiming2024")
    with pytest.raises(accounts.SignInError):
        accounts.check_password_strength("zhangweiming2024", user_inputs=("zhangweiming",))


def test_demo_accounts_keep_their_password(empty_engine):
    """The demo password is set directly, not through the rule (it would fail it)."""
    with pytest.raises(accounts.SignInError):
        accounts.check_password_strength(accounts.DEMO_PASSWORD)
    created = accounts.ensure_demo_accounts(empty_engine)
    assert len(created) == len(accounts.DEMO_ACCOUNTS)
    signed = accounts.authenticate(empty_engine, username="admin", password=accounts.DEMO_PASSWORD)
    assert signed.principal.is_admin and not signed.must_change_password


# -- finding 8: what ends a session ---------------------------------------------------------


def test_deactivation_and_reset_raise_the_session_epoch(empty_engine):
    _account(empty_engine)
    epoch = accounts.authenticate(empty_engine, username="clerk", password=PASSWORD).session_epoch
    state = accounts.account_state(empty_engine, "clerk")
    principal = accounts.authenticate(empty_engine, username="clerk", password=PASSWORD).principal
    assert state.allows(principal, epoch)
    accounts.admin_update(empty_engine, username="clerk", by="admin", action="deactivate")
    assert not accounts.account_state(empty_engine, "clerk").allows(principal, epoch)
    accounts.admin_update(empty_engine, username="clerk", by="admin", action="activate")
    assert not accounts.account_state(empty_engine, "clerk").allows(principal, epoch)  # the old session stays ended
    second = accounts.authenticate(empty_engine, username="clerk", password=PASSWORD).session_epoch
    temporary = "a new lantern by the river"
    accounts.admin_update(empty_engine, username="clerk", by="admin", action="reset", password=temporary)
    assert second > epoch and not accounts.account_state(empty_engine, "clerk").allows(principal, second)
    own = accounts.change_password(empty_engine, username="clerk", old=temporary, new=PASSWORD)
    assert accounts.account_state(empty_engine, "clerk").allows(principal, own)
    with pytest.raises(accounts.SignInError, match="没有"):
        accounts.admin_update(empty_engine, username="ghost", by="admin", action="deactivate")


# -- finding 4: the audit table cannot be rewritten -----------------------------------------

_ROW = "(1, '2026-01-01 00:00:00', 'intruder', 'sign_in', '', '', '', {true}, '')"


def _rewrites(dialect: str) -> list[str]:
    true = "true" if dialect == "postgresql" else "1"
    columns = "(id, at, username, action, target, detail, source, ok, chain_hash)"
    row = _ROW.format(true=true)
    statements = [
        f"INSERT INTO audit_event {columns} VALUES {row} ON CONFLICT (id) DO UPDATE SET username = 'intruder'",
        "UPDATE audit_event SET username = 'intruder'",
        "DELETE FROM audit_event",
    ]
    if dialect == "sqlite":
        statements += [
            f"INSERT OR REPLACE INTO audit_event {columns} VALUES {row}",
            f"REPLACE INTO audit_event {columns} VALUES {row}",
            "UPDATE OR REPLACE audit_event SET username = 'intruder'",
        ]
    else:
        statements += ["TRUNCATE audit_event"]
    return statements


def test_replace_upsert_and_truncate_are_refused(empty_engine):
    audit.record(empty_engine, username="x", action="sign_in")
    audit.record(empty_engine, username="y", action="sign_in")
    for statement in _rewrites(empty_engine.dialect.name):
        with pytest.raises(DBAPIError, match=r"只能追加|append"), empty_engine.begin() as conn:
            conn.execute(text(statement))
    assert [e["username"] for e in audit.search(empty_engine)] == ["y", "x"]
    assert audit.verify(empty_engine).ok


def _drop_guards(engine) -> None:
    """What someone with direct write access to the store would do first."""
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE audit_event DISABLE TRIGGER USER"))
        else:
            for name in ("audit_event_no_update", "audit_event_no_delete", "audit_event_no_replace"):
                conn.execute(text(f"DROP TRIGGER {name}"))


def _five_entries(engine) -> list[int]:
    for i in range(5):
        audit.record(engine, username=f"user{i}", action="unmask", target="320583101000", detail=f"第 {i} 次")
    with engine.connect() as conn:
        return [r[0] for r in conn.execute(text("SELECT id FROM audit_event ORDER BY id"))]


def test_chain_detects_an_edited_entry(empty_engine):
    ids = _five_entries(empty_engine)
    assert audit.verify(empty_engine).ok
    _drop_guards(empty_engine)
    with empty_engine.begin() as conn:
        conn.execute(text("UPDATE audit_event SET username = 'someone_else' WHERE id = :id"), {"id": ids[2]})
    result = audit.verify(empty_engine)
    assert result.first_bad_id == ids[2] and f"第 {ids[2]} 条" in result.message()


def test_chain_detects_a_deleted_entry(empty_engine):
    ids = _five_entries(empty_engine)
    _drop_guards(empty_engine)
    with empty_engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": ids[1]})
    assert audit.verify(empty_engine).first_bad_id == ids[2]  # the entry after the gap


def test_chain_detects_an_inserted_entry_even_with_a_correct_hash(empty_engine):
    ids = _five_entries(empty_engine)
    _drop_guards(empty_engine)
    with empty_engine.begin() as conn:
        # Make room after the second entry and insert a forged one, chained correctly onto it.
        conn.execute(text("UPDATE audit_event SET id = id + 100 WHERE id > :id"), {"id": ids[1]})
        previous = conn.execute(text("SELECT chain_hash FROM audit_event WHERE id = :id"), {"id": ids[1]}).scalar()
        forged = {
            "id": ids[1] + 1,
            "at": datetime(2026, 1, 1, 9, 0, 0),
            "username": "admin",
            "action": "import",
            "target": "",
            "detail": "伪造",
            "source": "",
            "ok": True,
        }
        forged["chain_hash"] = audit.chain_hash(previous, forged)
        conn.execute(
            text(
                "INSERT INTO audit_event (id, at, username, action, target, detail, source, ok, chain_hash) "
                "VALUES (:id, :at, :username, :action, :target, :detail, :source, :ok, :chain_hash)"
            ),
            forged,
        )
    assert audit.verify(empty_engine).first_bad_id == ids[2] + 100  # the first genuine entry after it


def test_verify_command(empty_engine, monkeypatch, capsys):
    ids = _five_entries(empty_engine)
    monkeypatch.setenv("DATABASE_URL", empty_engine.url.render_as_string(hide_password=False))
    from data_access.db import get_engine

    get_engine.cache_clear()
    try:
        assert audit.main(["verify"]) == 0
        assert "校验通过：共 5 条" in capsys.readouterr().out
        _drop_guards(empty_engine)
        with empty_engine.begin() as conn:
            conn.execute(text("UPDATE audit_event SET detail = '改过' WHERE id = :id"), {"id": ids[3]})
        assert audit.main(["verify"]) == 1
        assert f"第 {ids[3]} 条" in capsys.readouterr().err
    finally:
        get_engine.cache_clear()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_migration_chains_the_existing_entries(backend, tmp_path):
    url = fresh_store_url(backend, "chain_migration", tmp_path)
    create_store_file(url)
    engine = make_engine(url)
    cfg = alembic_config()
    cfg.attributes["configure_logger"] = False
    try:
        upgrade_to = lambda target: _alembic(engine, cfg, target)  # noqa: E731
        upgrade_to("0004")
        with engine.begin() as conn:
            for i in range(3):
                conn.execute(
                    text(
                        "INSERT INTO audit_event (at, username, action, target, detail, source, ok) "
                        "VALUES (:at, :u, 'sign_in', '', '', '', :ok)"
                    ),
                    {"at": datetime(2026, 1, 1, 8, 0, i), "u": f"old{i}", "ok": i != 1},
                )
        upgrade_to("head")
        audit.record(engine, username="new", action="sign_in")
        result = audit.verify(engine)
        assert result.ok and result.entries == 4
    finally:
        engine.dispose()


def _alembic(engine, cfg, target: str) -> None:
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, target)


# -- finding 7: only migrations create a store ----------------------------------------------


def test_the_engine_never_creates_a_sqlite_store(tmp_path):
    path = tmp_path / "gone" / "kunshan.db"
    engine = make_engine(f"sqlite:///{path}")
    with pytest.raises(OperationalError, match="数据库文件不存在"):
        engine.connect()
    assert not path.exists() and not path.parent.exists()
    upgrade(engine)  # migrations may
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM audit_event")).scalar() == 0
    # Removed while the app runs: the pooled connection is not used to write into nothing.
    moved = path.rename(tmp_path / "kept.db")
    with pytest.raises(OperationalError, match="数据库文件不存在"):
        engine.connect()
    moved.rename(path)
    with engine.connect() as conn:  # back: picked up without a new engine
        assert conn.execute(text("SELECT COUNT(*) FROM user_account")).scalar() == 0
    engine.dispose()


def test_postgres_app_role_holds_no_update_or_delete_on_the_audit_log(tmp_path):
    """Migrations run as an ordinary role (not a superuser) take UPDATE, DELETE and TRUNCATE on
    audit_event away from it, so the app connecting as that role cannot change the log even
    if the triggers are disabled."""
    from urllib.parse import quote

    base = fresh_store_url("postgresql", "chain_role", tmp_path)  # creates the schema; skips without PostgreSQL
    role = "kt_hardening_app_owner"
    admin = make_engine(base)
    with admin.begin() as conn:
        if not conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).scalar():
            conn.execute(text(f"CREATE ROLE {role} NOLOGIN"))
        conn.execute(text(f"ALTER SCHEMA chain_role OWNER TO {role}"))
    as_role = base + quote(f" -crole={role}")
    engine = make_engine(as_role)
    try:
        upgrade(engine)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT current_user")).scalar() == role
            privileges = {
                p: conn.execute(text("SELECT has_table_privilege('audit_event', :p)"), {"p": p}).scalar()
                for p in ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE")
            }
        assert privileges == {"SELECT": True, "INSERT": True, "UPDATE": False, "DELETE": False, "TRUNCATE": False}
        audit.record(engine, username="app", action="sign_in")
        assert audit.verify(engine).ok
        with pytest.raises(DBAPIError, match="permission denied"), engine.begin() as conn:
            conn.execute(text("DELETE FROM audit_event"))
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text("DROP SCHEMA chain_role CASCADE"))
            conn.execute(text(f"DROP ROLE {role}"))
        admin.dispose()


def test_sqlite_replace_is_refused_by_the_delete_trigger_too(tmp_path):
    """Second layer: the app's connections turn on recursive_triggers, so REPLACE's implicit
    delete fires the delete trigger even without migration 0005's REPLACE trigger."""
    engine = make_engine(f"sqlite:///{tmp_path / 'replace.db'}")
    upgrade(engine)
    audit.record(engine, username="x", action="sign_in")
    with engine.begin() as conn:
        conn.execute(text("DROP TRIGGER audit_event_no_replace"))
    columns = "(id, at, username, action, target, detail, source, ok, chain_hash)"
    for verb in ("REPLACE INTO", "INSERT OR REPLACE INTO"):
        with pytest.raises(DBAPIError, match="只能追加"), engine.begin() as conn:
            conn.execute(text(f"{verb} audit_event {columns} VALUES {_ROW.format(true='1')}"))
    assert [e["username"] for e in audit.search(engine)] == ["x"]
    engine.dispose()


def test_verify_command_on_a_missing_store(monkeypatch, tmp_path, capsys):
    from data_access.db import get_engine

    missing = tmp_path / "nowhere" / "kunshan.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{missing}")
    get_engine.cache_clear()
    try:
        assert audit.main(["verify"]) == 2
    finally:
        get_engine.cache_clear()
    assert "数据库文件不存在" in capsys.readouterr().err and not missing.exists()
