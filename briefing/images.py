"""Chart images on the server: kaleido 1.x with one long-lived Chromium per process.

Starting Chromium costs seconds, so the sync server is started once and reused; MathJax is
off (no formulas, and it would be fetched from a CDN this network cannot reach). Chromium
comes from the system (Debian's chromium package); CJK fonts from fonts-noto-cjk.
"""

from __future__ import annotations

import shutil
import threading

import plotly.graph_objects as go

PNG_SCALE = 2  # slides want 2x
DEFAULT_SIZE = (1200, 600)
HOW_TO_ENABLE = (
    "服务器未找到 Chromium，无法在服务器端生成图片：请由管理员安装 Debian 的 chromium 和 fonts-noto-cjk "
    "软件包（apt-get install chromium fonts-noto-cjk）后重启系统。在此之前可使用图表右上角的相机按钮下载高清 PNG。"
)

_lock = threading.Lock()
_started = False


class ImagesUnavailable(RuntimeError):
    pass


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def available() -> bool:
    return chromium_path() is not None


def _ensure_server() -> None:
    global _started
    if _started:
        return
    if not available():
        raise ImagesUnavailable(HOW_TO_ENABLE)
    import kaleido

    kaleido.start_sync_server(mathjax=False, silence_warnings=True)
    _started = True


def render(fig: go.Figure, fmt: str, *, width: int | None = None, height: int | None = None) -> bytes:
    """PNG (at 2x) or SVG bytes of a figure."""
    import kaleido

    opts = {
        "format": fmt,
        "width": width or fig.layout.width or DEFAULT_SIZE[0],
        "height": height or fig.layout.height or DEFAULT_SIZE[1],
    }
    if fmt == "png":
        opts["scale"] = PNG_SCALE
    # One Chromium serves every thread of the process, one figure at a time.
    with _lock:
        _ensure_server()
        try:
            image: bytes = kaleido.calc_fig_sync(fig, opts=opts)
            return image
        except Exception as exc:
            raise ImagesUnavailable(f"图片生成失败：{exc}") from exc


def png(fig: go.Figure, **size: int) -> bytes:
    return render(fig, "png", **size)


def svg(fig: go.Figure, **size: int) -> bytes:
    return render(fig, "svg", **size)
