"""Meeting pack and 汇报材料 from the command line, e.g. scheduled before each meeting:

    python -m briefing --period 2025-Q3 --scope 全市 --format pptx --out 会议材料.pptx
    python -m briefing --period 2025-Q3 --format report        # 汇报材料, Word in 公文 layout
    python -m briefing --period 2025-Q3 --format pdf           # the meeting pack as PDF
    python -m briefing --period 2025-Q3 --format report-pdf    # 汇报材料 as PDF

Exit codes: 0 written; 2 bad arguments (unknown period or town); 1 the store failed or no PDF
could be made (no Chromium on the server).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from briefing.build import FORMATS, PackError, meeting_pack
from briefing.pdf import PdfUnavailable
from data_access.db import database_url, describe_url, get_engine


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m briefing",
        description="生成领导小组会议材料（PowerPoint、Word、PDF）或汇报材料（公文格式 Word、PDF）",
    )
    parser.add_argument("--period", required=True, help="期间：2025（年）、2025-Q3（季度）或 2025-09（月）")
    parser.add_argument("--scope", default="全市", help="全市，或区镇名称/代码（如 巴城镇、320583101000）")
    parser.add_argument(
        "--format",
        choices=tuple(FORMATS),
        default="pptx",
        help="会议材料：pptx、docx、pdf；汇报材料（公文格式）：report（Word）、report-pdf",
    )
    parser.add_argument("--out", help="输出文件；省略时按内容命名，写在当前目录")
    args = parser.parse_args(argv)
    url = database_url()
    try:
        with get_engine(url).connect() as conn:
            data, file_name = meeting_pack(conn, period=args.period, scope=args.scope, fmt=args.format)
    except PackError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    except PdfUnavailable as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    except SQLAlchemyError as exc:
        print(f"无法读取数据库（{describe_url(url)}）：{getattr(exc, 'orig', exc)}", file=sys.stderr)
        return 1
    out = Path(args.out or file_name)
    out.write_bytes(data)
    print(f"已生成：{out}（{len(data) / 1024:.0f} KB）")
    return 0


if __name__ == "__main__":
    sys.exit(main())
