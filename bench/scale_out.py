"""Scale-out bench: the same websocket-level sessions as bench.load, against one app process and
against two, each time behind Debian's nginx with the site from deploy/ (test ports, loopback,
a self-signed certificate), on one PostgreSQL store. Every session signs in as its own browser
would, so nginx's cookie hash spreads the sessions over the processes.

    python -m bench.scale_out --db-url postgresql://postgres@127.0.0.1:5432/kunshan_bench
    python -m bench.scale_out --db-url … --sessions 10 20 40 --processes 1 2 --scale 1

An empty store is migrated and seeded with the demo city first. Loopback only; bounded in
sessions (≤ 60) and time (bench.load's limits).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path

from bench import load

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "deploy" / "kunshan-dashboard.nginx.conf"
NGINX = Path("/usr/sbin/nginx")
UPSTREAM_HEADER = "x-kd-upstream"  # added to the copy of the site: which process answered


def site_config(ports: list[int], https_port: int, http_port: int, cert: Path, key: Path) -> str:
    """deploy/'s site with these app ports, loopback listeners and a test certificate. Every swap
    must happen: a change to the deploy file that this no longer matches fails here."""
    text = SITE.read_text(encoding="utf-8")
    servers = "".join(f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=10s;\n" for p in ports)
    swaps = [
        (r"(?m)^    server 127\.0\.0\.1:85\d\d .*\n(    server 127\.0\.0\.1:85\d\d .*\n)*", servers),
        (r"(?m)^    listen \[::\].*\n", ""),
        (r"(?m)^    listen 80;", f"    listen 127.0.0.1:{http_port};"),
        (r"(?m)^    listen 443 ssl http2;", f"    listen 127.0.0.1:{https_port} ssl http2;"),
        (r"/etc/ssl/kunshan-dashboard/fullchain\.pem", str(cert)),
        (r"/etc/ssl/kunshan-dashboard/privkey\.pem", str(key)),
        (
            r"(?m)^    location / \{\n",
            f"    location / {{\n        add_header {UPSTREAM_HEADER} $upstream_addr always;\n",
        ),
    ]
    for pattern, replacement in swaps:
        text, n = re.subn(pattern, lambda _m, r=replacement: r, text)
        if n == 0:
            raise RuntimeError(f"deploy 的 nginx 配置中找不到：{pattern}")
    return text


def main_config(tmp: Path) -> str:
    """nginx's main file: everything (pid, logs, temp files) inside tmp, in the foreground."""
    # As root the workers would run as nobody and could not read a private tmp dir.
    user = "user root;\n" if os.geteuid() == 0 else ""
    temps = "".join(
        f"    {name}_temp_path {tmp / name};\n" for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        f"{user}worker_processes 1;\ndaemon off;\npid {tmp / 'nginx.pid'};\nerror_log {tmp / 'error.log'} info;\n"
        "events { worker_connections 1024; }\n"
        # The log names the process each request went to: how the sessions were spread.
        f"http {{\n    log_format kd '$upstream_addr \"$request\" $status';\n"
        f"    access_log {tmp / 'access.log'} kd;\n{temps}    include {tmp / 'site.conf'};\n}}\n"
    )


def self_signed(tmp: Path) -> tuple[Path, Path]:
    cert, key = tmp / "cert.pem", tmp / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1"),
            *("-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return cert, key


def start_nginx(tmp: Path, ports: list[int]) -> tuple[subprocess.Popen, str, int]:
    """nginx in front of `ports`, as a child process; returns it, the HTTPS base and the HTTP port."""
    https_port, http_port = load._free_port(), load._free_port()
    (tmp / "site.conf").write_text(site_config(ports, https_port, http_port, *self_signed(tmp)))
    (tmp / "nginx.conf").write_text(main_config(tmp))
    args = [str(NGINX), "-p", str(tmp), "-c", str(tmp / "nginx.conf"), "-e", str(tmp / "error.log")]
    checked = subprocess.run([*args, "-t"], capture_output=True, text=True, timeout=30)
    if checked.returncode != 0:
        raise RuntimeError(checked.stderr)
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"https://127.0.0.1:{https_port}"
    for _ in range(120):
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2, context=load.INSECURE):
                return proc, base, http_port
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise RuntimeError("nginx 未能启动：" + (tmp / "error.log").read_text()[-1500:])


def prepare_store(url: str, scale: float) -> None:
    from data_access.db import make_engine
    from data_access.migrate import upgrade
    from data_access.seed import store_is_empty
    from metrics.seed import seed_demo

    engine = make_engine(url)
    upgrade(engine)
    if store_is_empty(engine):
        print(f"空库：载入演示数据（规模 {scale:g}）……", flush=True)
        seed_demo(engine, scale=scale)
    engine.dispose()


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    proc.wait(timeout=30)


def websockets_by_process(log: Path) -> Counter:
    """Websocket sessions nginx sent to each process so far (from its access log)."""
    lines = log.read_text().splitlines() if log.exists() else []
    return Counter(line.split(" ", 1)[0] for line in lines if "/_stcore/stream" in line)


def run_setup(url: str, processes: int, sessions: list[int], env: dict[str, str]) -> list[tuple]:
    """One row per session count for `processes` app processes behind nginx."""
    logs = ROOT / "bench" / "results"  # git-ignored
    logs.mkdir(parents=True, exist_ok=True)
    apps = [load.serve(url, env, logs / f"scale_out-{processes}p-{i}.log") for i in range(processes)]
    rows = []
    with tempfile.TemporaryDirectory(prefix="kd_scale_") as tmp:
        os.chmod(tmp, 0o755)
        nginx, base, _ = start_nginx(Path(tmp), [int(b.rsplit(":", 1)[1]) for _, b in apps])
        try:
            # Warm-up: a few sessions so every process has imported everything once.
            asyncio.run(load.bench(base, 2 * processes))
            for n in sessions:
                before = websockets_by_process(Path(tmp) / "access.log")
                latencies, errors, wall = asyncio.run(load.bench(base, n))
                spread = sorted((websockets_by_process(Path(tmp) / "access.log") - before).values(), reverse=True)
                median, p95, top = load.summary(latencies) if latencies else (float("nan"),) * 3
                spread_text = "/".join(map(str, spread))
                rows.append(
                    (processes, n, spread_text, len(latencies), median, p95, top, len(errors), wall, errors[:3])
                )
                print(
                    f"{processes} 进程 · {n} 会话（各进程 {spread_text}）：median {median:.2f} s, p95 {p95:.2f} s, "
                    f"错误 {len(errors)}",
                    flush=True,
                )
        finally:
            stop(nginx)
            for proc, _ in apps:
                stop(proc)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scale_out")
    parser.add_argument("--db-url", required=True, help="PostgreSQL on loopback (seeded when empty)")
    parser.add_argument("--sessions", type=int, nargs="+", default=[10, 20, 40])
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--scale", type=float, default=1.0, help="demo city size for an empty store")
    args = parser.parse_args(argv)
    if not re.match(r"postgresql(\+psycopg)?://[^/]*@?(127\.0\.0\.1|localhost)[:/]", args.db_url):
        parser.error("只用本机（loopback）上的 PostgreSQL")
    if max(args.sessions) > 60 or max(args.processes) > 4:
        parser.error("最多 60 个会话、4 个进程")
    if not NGINX.exists():
        parser.error("需要 Debian 的 nginx（apt-get install nginx-light）")
    prepare_store(args.db_url, args.scale)
    # One deployment: every process the same store and keys (deploy/env.example).
    env = {
        **os.environ,
        "KUNSHAN_COOKIE_KEY": secrets.token_urlsafe(32),
        "STREAMLIT_SERVER_COOKIE_SECRET": secrets.token_urlsafe(32),
    }
    rows = [row for n in args.processes for row in run_setup(args.db_url, n, args.sessions, env)]
    print("\n| 进程 | 会话 | 各进程会话 | 页面运行 | median s | p95 s | max s | 错误 | 用时 s |")
    print("|---:|---:|---|---:|---:|---:|---:|---:|---:|")
    for processes, n, spread, runs, median, p95, top, errors, wall, _ in rows:
        print(
            f"| {processes} | {n} | {spread} | {runs} | {median:.2f} | {p95:.2f} | {top:.2f} | {errors} | {wall:.0f} |"
        )
    for row in rows:
        for error in row[-1]:
            print(f"  {row[0]} 进程 {row[1]} 会话：{error}")
    return 0 if not any(row[7] for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
