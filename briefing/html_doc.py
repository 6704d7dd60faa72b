"""The meeting pack and the 汇报材料 as print HTML for the PDF: A4 portrait, one column, large
type and tables that fit the page width, so a leader can read it on a phone. Every text is
escaped (names come from the store); charts are PNG data URIs; the 演示数据 mark and the page
number are CSS page-margin boxes, so they repeat on every page."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from html import escape

from briefing.content import WHAT_IF_HEADERS, WHAT_IF_TITLE, Pack, what_if_lines, what_if_rows
from briefing.meta import DEMO_NOTICE, PROGRAMME
from briefing.report_text import NO_CHARTS, SCORECARD_NOTE, Report, cn_date, headline_rows, scorecard_rows
from metrics import format as fmt
from metrics.domain.attainment import STATUS_LABELS, Status

SANS = '"Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif'
# 公文 fonts first (a reader's own machine), then what the server has.
SERIF = '"FangSong", "仿宋", "Noto Serif CJK SC", "SimSun", serif'
HEI = '"SimHei", "黑体", "Noto Sans CJK SC", sans-serif'
KAI = '"KaiTi", "楷体", "Noto Serif CJK SC", serif'
# Defence in depth (every text is escaped anyway): no scripts, nothing fetched, images only inline.
CSP = (
    '<meta http-equiv="Content-Security-Policy" '
    "content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src 'none'\">"
)
HEADLINE_SHARES = [30, 22, 20, 14, 14]  # % of the width: values with units fit on one line
TINTS = {
    Status.GREEN: "#DDEFDF",
    Status.AMBER: "#FFF1C2",
    Status.RED: "#F8D7D7",
    Status.INCOMPLETE: "#E3E7F6",
    Status.NONE: "#F1F3F5",
}


def css_string(text: str) -> str:
    """A CSS string literal: quotes, backslashes and angle brackets escaped."""
    out = text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ").replace("\n", " ")
    return f'"{out}"'


def page_css(*, is_demo: bool, page_number: str, font: str) -> str:
    demo = (
        f"@top-center {{ content: {css_string(DEMO_NOTICE)}; color: #C62828; font: 700 10.5pt {SANS}; }}"
        if is_demo
        else ""
    )
    return f"""
@page {{ size: A4 portrait; margin: 18mm 13mm 18mm 13mm;
  {demo}
  @bottom-center {{ content: {page_number}; font: 12pt {font}; color: #333; }} }}
* {{ box-sizing: border-box; }}
html {{ -webkit-print-color-adjust: exact; print-color-adjust: exact; }}
body {{ margin: 0; font-family: {font}; font-size: 15pt; line-height: 1.6; color: #111; }}
p {{ margin: 0 0 0.5em 0; }}
table {{ width: 100%; border-collapse: collapse; table-layout: fixed; margin: 0.3em 0 0.8em 0; }}
thead {{ display: table-header-group; }}
tr, img, figure {{ break-inside: avoid; }}
th, td {{ padding: 3pt 4pt; overflow-wrap: anywhere; vertical-align: top; }}
figure {{ margin: 0.4em 0 0.9em 0; }}
figure img {{ width: 100%; height: auto; display: block; }}
figcaption, .caption {{ text-align: center; font-family: {HEI}; font-size: 13pt; margin: 0.2em 0; }}
.demo {{ color: #C62828; font-weight: 700; }}
.note {{ font-size: 12pt; color: #444; }}
.num {{ text-align: right; font-variant-numeric: tabular-nums; }}
"""


def _doc(title: str, css: str, body: str) -> str:
    return (
        f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">{CSP}<title>{escape(title)}</title>'
        f"<style>{css}</style></head><body>{body}</body></html>"
    )


def _img(png: bytes, alt: str) -> str:
    return f'<img src="data:image/png;base64,{base64.b64encode(png).decode("ascii")}" alt="{escape(alt)}">'


def _table(
    headers: list[str],
    rows: list[list[str]],
    *,
    first: float,
    size: float,
    tints: Sequence[Sequence[str]] | None = None,
    shares: Sequence[float | None] | None = None,
    numbers: bool = True,  # right-align every column but the first
) -> str:
    rest = (100 - first) / max(len(headers) - 1, 1)
    shares = shares or [first, *([rest] * (len(headers) - 1))]
    cols = "".join(f'<col style="width:{share:.2f}%">' for share in shares)
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = []
    for i, row in enumerate(rows):
        cells = []
        for j, text in enumerate(row):
            style = f' style="background:{tints[i][j]}"' if tints and tints[i][j] else ""
            cls = ' class="num"' if numbers and j > 0 else ""
            cells.append(f"<td{cls}{style}>{escape(text)}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    return (
        f'<table style="font-size:{size}pt"><colgroup>{cols}</colgroup><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


# -- the meeting pack ---------------------------------------------------------------------
PACK_CSS_EXTRA = f"""
h1 {{ font-size: 20pt; line-height: 1.3; margin: 0 0 0.2em 0; }}
.pack .demo {{ font-size: 12pt; margin: 0; }}
h2 {{ font-size: 19pt; margin: 1.0em 0 0.3em 0; padding-bottom: 2pt; border-bottom: 2px solid #1F5FAD;
      color: #1F3F6D; break-after: avoid; }}
h2.page {{ break-before: page; margin-top: 0; }}  /* one domain per page, like the slides */
.pack th {{ background: #DCE6F2; text-align: left; }}
.pack td, .pack th {{ border: 1px solid #B8C2CC; }}
.meta {{ color: #444; font-size: 12pt; line-height: 1.4; margin: 0 0 0.2em 0; }}
.legend {{ font-size: 12pt; color: #444; }}
.legend span {{ padding: 0 4pt; margin-right: 6pt; }}
body {{ font-family: {SANS}; }}
"""


def pack_html(pack: Pack, pictures: list[bytes | None]) -> str:
    meta = pack.meta
    title = f"{PROGRAMME} 领导小组会议材料"
    out = [
        f"<h1>{escape(PROGRAMME)}<br>领导小组会议材料</h1>",
        f'<p class="meta">{escape(meta.scope_name)} · {escape(meta.period.label)}<br>'
        f"数据截至 {escape(cn_date(meta.data_date))} · 生成于 {meta.generated_at:%Y-%m-%d %H:%M}</p>",
    ]
    if meta.is_demo:
        out.append(f'<p class="demo">{escape(DEMO_NOTICE)}</p>')
    missing = False
    for i, (section, picture) in enumerate(zip(pack.sections, pictures, strict=True)):
        out.append(f"<h2{'' if i == 0 else ' class=page'}>{escape(section.title)}</h2>")
        out.extend(f"<p>{escape(sentence)}</p>" for sentence in section.narrative)
        rows = [
            [
                f"{f.kpi.label}（{f.kpi.unit}）",
                fmt.kpi_value(f.kpi, f.value),
                fmt.kpi_value(f.kpi, f.target) if f.target is not None else "—",
                fmt.ratio(f.attainment),
                STATUS_LABELS[f.status],
            ]
            for f in section.figures
        ]
        out.append(
            _table(["指标", "数值", "目标", "完成度", "状态"], rows, first=30, size=13, shares=[30, 22, 20, 14, 14])
        )
        if picture is None:
            missing = True
        else:
            out.append(f"<figure>{_img(picture, section.chart.title)}</figure>")
    if missing:
        out.append(f'<p class="note">{escape(NO_CHARTS)}</p>')
    out.append('<h2 class="page">各单位对照目标</h2>')
    headers = ["单位", *(f"{k.short}（{k.unit}）" for k in pack.scorecard_kpis)]
    rows = [
        [name, *(fmt.number(f.value, f.kpi.decimals) for f in row)]
        for name, row in zip(pack.scorecard_units, pack.scorecard, strict=True)
    ]
    tints = [["", *(TINTS[f.status] for f in row)] for row in pack.scorecard]
    out.append(_table(headers, rows, first=20, size=11.5, tints=tints))
    legend = "".join(
        f'<span style="background:{TINTS[s]}">{escape(STATUS_LABELS[s])}</span>'
        for s in (Status.GREEN, Status.AMBER, Status.RED, Status.INCOMPLETE, Status.NONE)
    )
    out.append(f'<p class="legend">{legend}</p>')
    if pack.what_if is not None:
        scenario, note = what_if_lines(pack.what_if)
        out.append(f'<h2 class="page">{escape(WHAT_IF_TITLE)}</h2><p>{escape(scenario)}</p>')
        out.append(_table(list(WHAT_IF_HEADERS), what_if_rows(pack), first=14, size=10.5))
        out.append(f'<p class="note">{escape(note)}</p>')
    out.append("<h2>数据来源与报送日期</h2>")
    feeds = [
        [
            str(f["department"]),
            str(f["label"]),
            f"{f['data_date']:%Y-%m-%d}",
            str(f["source"]) + ("（演示数据）" if f["is_demo"] else ""),
        ]
        for f in pack.feeds
    ]
    out.append(_table(["责任单位", "数据内容", "数据截至", "来源"], feeds, first=18, size=12, numbers=False))
    css = page_css(is_demo=meta.is_demo, page_number='"第 " counter(page) " 页"', font=SANS) + PACK_CSS_EXTRA
    return _doc(title, css, f'<main class="pack">{"".join(out)}</main>')


# -- the 汇报材料 ------------------------------------------------------------------------------
REPORT_CSS_EXTRA = f"""
body {{ font-size: 16pt; line-height: 1.75; }}
h1 {{ font-family: "Noto Serif CJK SC", "SimSun", serif; font-weight: 700; font-size: 22pt; line-height: 1.45;
      text-align: center; margin: 0 0 0.6em 0; }}
h2 {{ font-family: {HEI}; font-weight: 700; font-size: 16pt; margin: 0.5em 0 0.2em 0; text-indent: 2em;
      break-after: avoid; }}
h3 {{ font-family: {KAI}; font-weight: 700; font-size: 16pt; margin: 0.3em 0 0.1em 0; text-indent: 2em;
      break-after: avoid; }}
.body {{ text-indent: 2em; text-align: justify; }}
.report table {{ border-top: 1.5pt solid #000; border-bottom: 1.5pt solid #000; }}
.report thead th {{ border-bottom: 0.75pt solid #000; font-family: {HEI}; font-weight: 400; text-align: center; }}
.signature {{ text-align: right; padding-right: 4em; margin: 0; }}
.annex {{ text-indent: 2em; font-size: 13pt; margin-top: 1em; }}
"""


def report_html(report: Report, pictures: list[bytes | None]) -> str:
    meta = report.pack.meta
    out = [f"<h1>{escape(report.title)}</h1>"]
    if meta.is_demo:
        out.append(f'<p class="demo" style="text-align:center">（{escape(DEMO_NOTICE)}）</p>')
    tables = figures = 0
    missing_said = False
    for part in report.parts:
        out.append(f"<h2>{escape(part.heading)}</h2>")
        for block in part.blocks:
            if block.heading:
                out.append(f"<h3>{escape(block.heading)}</h3>")
            out.extend(f'<p class="body">{escape(text)}</p>' for text in block.paragraphs)
            if block.table == "headlines":
                tables += 1
                out.append(
                    f'<p class="caption">表{tables}　{escape(meta.scope_name)}主要指标完成情况'
                    f"（{escape(meta.period.label)}）</p>"
                )
                headers, rows = headline_rows(report.pack)
                out.append(_table(headers, rows, first=30, size=13, shares=HEADLINE_SHARES))
            elif block.table == "scorecard":
                tables += 1
                out.append(
                    f'<p class="caption">表{tables}　各{escape(report.unit_word)}主要指标完成情况'
                    f"（{escape(meta.period.label)}）</p>"
                )
                headers, rows = scorecard_rows(report.pack)
                out.append(_table(headers, rows, first=17, size=11))
                out.append(f'<p class="note">{escape(SCORECARD_NOTE)}</p>')
            if block.chart is not None:
                picture = pictures[block.chart] if block.chart < len(pictures) else None
                if picture is not None:
                    figures += 1
                    caption = f"图{figures}　{report.pack.sections[block.chart].chart.title}"
                    out.append(f"<figure>{_img(picture, caption)}<figcaption>{escape(caption)}</figcaption></figure>")
                elif not missing_said:
                    out.append(f'<p class="body">{escape(NO_CHARTS)}</p>')
                    missing_said = True
    out.append('<p style="margin-top:2em"></p>')
    out.append(f'<p class="signature">{escape(report.issuer)}</p>')
    out.append(f'<p class="signature">{escape(cn_date(report.issued))}</p>')
    sources = "、".join(dict.fromkeys(str(f["department"]) for f in report.pack.feeds))
    out.append(
        f'<p class="annex">（数据来源：{escape(sources)}报送数据，数据截至{escape(cn_date(meta.data_date))}；'
        "本材料由系统根据报送数据生成，请核对后使用。）</p>"
    )
    css = page_css(is_demo=meta.is_demo, page_number='"— " counter(page) " —"', font=SERIF) + REPORT_CSS_EXTRA
    return _doc(report.title, css, f'<main class="report">{"".join(out)}</main>')
