"""HTML to PDF with the headless Chromium already on the server (Debian's chromium), one
short-lived process per document in its own profile directory, so parallel requests never
share a profile. Fonts come from fonts-noto-cjk and are embedded by Chromium."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from briefing import images, pdf_text

TIMEOUT_SECONDS = 120
HOW_TO_ENABLE = (
    "服务器未找到 Chromium，无法生成 PDF：请由管理员安装 Debian 的 chromium 和 fonts-noto-cjk 软件包"
    "（apt-get install chromium fonts-noto-cjk）后重启系统。在此之前请下载 Word 或 PowerPoint 版本。"
)


class PdfUnavailable(RuntimeError):
    """No Chromium, or it failed: the message is for the user, in Chinese."""


def available() -> bool:
    return images.chromium_path() is not None


def render(html: str, *, timeout: float = TIMEOUT_SECONDS) -> bytes:
    browser = images.chromium_path()
    if browser is None:
        raise PdfUnavailable(HOW_TO_ENABLE)
    with tempfile.TemporaryDirectory(prefix="briefing-pdf-") as tmp:
        page, out = Path(tmp) / "document.html", Path(tmp) / "document.pdf"
        page.write_text(html, encoding="utf-8")
        command = [
            browser,
            "--headless",
            "--no-sandbox",  # the server runs it as a service user or root, without a sandbox helper
            "--disable-gpu",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-extensions",
            "--disable-background-networking",
            "--host-resolver-rules=MAP * ~NOTFOUND",  # images are inline: the page needs no network
            f"--user-data-dir={Path(tmp) / 'profile'}",
            "--no-pdf-header-footer",  # the page's own CSS sets header, footer and page numbers
            f"--print-to-pdf={out}",
            page.as_uri(),
        ]
        try:
            done = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            raise PdfUnavailable(f"PDF 生成超时（超过 {timeout:.0f} 秒），请稍后重试") from exc
        except OSError as exc:
            raise PdfUnavailable(f"无法启动 Chromium（{exc}）。{HOW_TO_ENABLE}") from exc
        if done.returncode != 0 or not out.exists() or out.stat().st_size == 0:
            detail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["无输出"]
            raise PdfUnavailable(f"PDF 生成失败：Chromium 退出码 {done.returncode}（{detail[0][:200]}）")
        return pdf_text.fix_text(out.read_bytes())
