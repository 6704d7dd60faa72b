"""The text of a 汇报 (report to the leading group), generated from the registry and the figures.

Every sentence carries the KPI keys it states, so a reader (or a test) can trace each number
to its figure. Four parts, as staff write them: 一、总体情况; 二、主要指标完成情况; 三、存在的问题;
四、下步工作建议. Missing data is named as such and never as falling behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.engine import Connection

from briefing import narrative
from briefing.content import Pack
from data_access.models.governance import CITY_SCOPE
from data_access.queries import caseload
from metrics import format as fmt
from metrics.domain.attainment import STATUS_ICONS, STATUS_LABELS, Direction, Status
from metrics.evaluate import Evaluator, Figure
from metrics.registry import KPI_BY_KEY, Kpi
from metrics.views import evaluator_for, units_for

NUMERALS = "一二三四五六七八九十"
STATUS_PHRASES = {Status.GREEN: "达到目标", Status.AMBER: "接近目标", Status.RED: "落后于目标"}
SCORECARD_MARKS = {Status.RED: STATUS_ICONS[Status.RED], Status.AMBER: STATUS_ICONS[Status.AMBER]}
SCORECARD_MARKS[Status.INCOMPLETE] = STATUS_ICONS[Status.INCOMPLETE]
SCORECARD_NOTE = (
    f"注：{SCORECARD_MARKS[Status.RED]} 落后于目标，{SCORECARD_MARKS[Status.AMBER]} 接近目标，"
    f"{SCORECARD_MARKS[Status.INCOMPLETE]} 数据不全（部门数据尚未报齐，不作达标评判）；未标注的为达到目标或未设目标。"
)
NO_CHARTS = (
    "（本材料未附图表：服务器未找到 Chromium，无法生成图表图片。请由管理员安装 Debian 的 chromium 和 "
    "fonts-noto-cjk 软件包后重新生成。）"
)
TOP_UNITS = 3  # units named where a problem concentrates


@dataclass(frozen=True)
class Sentence:
    text: str
    kpis: tuple[str, ...] = ()  # the registry keys whose figures this sentence states
    quoted: bool = False  # carries text a person wrote (a 督办 requirement): its numbers are theirs


@dataclass(frozen=True)
class Block:
    """One paragraph, optionally under a second-level heading, optionally followed by a
    table or a chart of the pack (the writers place them)."""

    heading: str | None
    sentences: list[Sentence]
    chart: int | None = None  # index into Pack.sections
    table: str | None = None  # "headlines" or "scorecard"
    split: bool = False  # one paragraph per sentence (long lists read better apart)

    @property
    def paragraphs(self) -> list[str]:
        return [s.text for s in self.sentences] if self.split else [self.text]

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.sentences)


@dataclass(frozen=True)
class Part:
    heading: str  # "一、总体情况"
    blocks: list[Block]


@dataclass(frozen=True)
class Report:
    title: str
    pack: Pack
    parts: list[Part]
    issuer: str
    issued: date
    unit_word: str  # 区镇 (city scope) or 村(社区) (a town)

    @property
    def sentences(self) -> list[Sentence]:
        return [s for part in self.parts for block in part.blocks for s in block.sentences]


def numeral(i: int) -> str:
    """1 -> 一 … 10 -> 十, 11 -> 十一 (enough for headings)."""
    if i <= 10:
        return NUMERALS[i - 1]
    return "十" + NUMERALS[i - 11]


def cn_date(day: date) -> str:
    """2026年9月30日: 公文 dates carry no leading zeros."""
    return f"{day.year}年{day.month}月{day.day}日"


def value_text(figure: Figure) -> str:
    return fmt.kpi_value(figure.kpi, figure.value)


def figure_sentence(figure: Figure) -> Sentence:
    """监测对象户数 7,620 户，较上季度减少 0.1%，较上年同期减少 1.6%，控制目标 7,440 户，完成度 97.6%，接近目标。"""
    kpi = figure.kpi
    if figure.value is None:
        return Sentence(f"{kpi.label}暂无数据（{figure.value_reason}）。", (kpi.key,))
    parts = [f"{kpi.label} {value_text(figure)}"]
    for label in (figure.previous_label, figure.last_year_label):
        phrase = narrative.change_phrase(figure, label)
        if phrase:
            parts.append(phrase)
    if figure.incomplete:
        parts.append(f"{figure.incomplete}，暂不评判是否达标")
    elif figure.target is not None and figure.attainment is not None and figure.status in STATUS_PHRASES:
        goal = "控制目标" if kpi.direction is Direction.LOWER else "目标"
        parts.append(f"{goal} {fmt.kpi_value(kpi, figure.target)}，完成度 {fmt.ratio(figure.attainment)}")
        parts.append(STATUS_PHRASES[figure.status])
    text = "，".join(parts)
    if figure.basis:
        text += f"（{figure.basis}）"
    return Sentence(text + "。", (kpi.key,))


def _headlines(pack: Pack) -> list[Figure]:
    return [f for section in pack.sections for f in section.figures]


def _find(pack: Pack, key: str) -> Figure | None:
    return next((f for f in _headlines(pack) if f.kpi.key == key), None)


# -- 一、总体情况 ----------------------------------------------------------------------------
def overview(pack: Pack) -> list[Block]:
    meta = pack.meta
    sentences = [
        Sentence(
            f"现将{meta.scope_name}{meta.period.label}建立解决相对贫困长效机制主要指标情况汇报如下"
            f"（数据截至{cn_date(meta.data_date)}）。"
        )
    ]
    households, persons, floor = (
        _find(pack, k) for k in ("caseload_households", "caseload_persons", "floor_households")
    )
    if households is not None and households.value is not None:
        text = f"{meta.scope_name}共有监测对象 {value_text(households)}"
        keys = [households.kpi.key]
        if persons is not None and persons.value is not None:
            text += f"、{value_text(persons)}"
            keys.append(persons.kpi.key)
        if floor is not None and floor.value is not None:
            text += f"，其中低保户 {value_text(floor)}"
            keys.append(floor.kpi.key)
        sentences.append(Sentence(text + "。", tuple(keys)))
    spending, payments = _find(pack, "relief_spending"), _find(pack, "relief_payments")
    if spending is not None and spending.value is not None:
        text = f"本期发放各类救助资金 {value_text(spending)}"
        keys = [spending.kpi.key]
        if payments is not None and payments.value is not None:
            text += f"，共 {value_text(payments)}"
            keys.append(payments.kpi.key)
        sentences.append(Sentence(text + "。", tuple(keys)))
    sentences.extend(_tally(_headlines(pack)))
    return [Block(None, sentences, table="headlines")]


def _tally(figures: list[Figure]) -> list[Sentence]:
    """How many headline figures meet, near or miss their goals; incomplete ones are counted apart."""
    keys = tuple(f.kpi.key for f in figures)
    count = {s: [f for f in figures if f.status is s] for s in Status}
    judged = len(count[Status.GREEN]) + len(count[Status.AMBER]) + len(count[Status.RED])
    text = (
        f"表1所列 {len(figures)} 项主要指标中，对照目标评判的 {judged} 项："
        f"达到目标 {len(count[Status.GREEN])} 项，接近目标 {len(count[Status.AMBER])} 项，"
        f"落后于目标 {len(count[Status.RED])} 项"
    )
    if count[Status.INCOMPLETE]:
        text += f"；另有 {len(count[Status.INCOMPLETE])} 项因部门数据尚未报齐，暂不评判"
    out = [Sentence(text + "。", keys)]
    if count[Status.RED]:
        names = "、".join(f.kpi.label for f in count[Status.RED])
        out.append(Sentence(f"落后于目标的是：{names}。", tuple(f.kpi.key for f in count[Status.RED])))
    return out


# -- 二、主要指标完成情况 ------------------------------------------------------------------------
def by_domain(pack: Pack) -> list[Block]:
    return [
        Block(f"（{numeral(i)}）{section.title}", [figure_sentence(f) for f in section.figures], chart=i - 1)
        for i, section in enumerate(pack.sections, start=1)
    ]


# -- 三、存在的问题 ----------------------------------------------------------------------------
def units_behind(pack: Pack, unit_word: str) -> list[Sentence]:
    """Per scorecard KPI, the units behind (with value and attainment) and those close to goal.
    Only RED and AMBER figures: a unit whose data are incomplete is never listed here."""
    out = []
    for j, kpi in enumerate(pack.scorecard_kpis):
        column = list(zip(pack.scorecard_units, (row[j] for row in pack.scorecard), strict=True))
        red = [(name, f) for name, f in column if f.status is Status.RED]
        amber = [name for name, f in column if f.status is Status.AMBER]
        if not red and not amber:
            continue
        wording = "高于控制目标" if kpi.direction is Direction.LOWER else "低于目标"
        parts = []
        if red:
            listed = "、".join(f"{name}（{value_text(f)}，完成度 {fmt.ratio(f.attainment)}）" for name, f in red)
            parts.append(f"{listed}{wording}")
        if amber:
            parts.append(f"{'、'.join(amber)}接近目标")
        out.append(Sentence(f"{kpi.label}：" + "；".join(parts) + "。", (kpi.key,)))
    return out


def relief_gap_sentence(gap: Figure, per_unit: list[tuple[str, Figure]]) -> Sentence:
    key = gap.kpi.key
    if gap.value is None:
        return Sentence(f"应助未助情况暂无数据（{gap.value_reason}）。", (key,))
    if gap.incomplete:
        return Sentence(f"应助未助 {value_text(gap)}，{gap.incomplete}，待数据报齐后核实。", (key,))
    if gap.value == 0:
        return Sentence("经比对，期末未发现符合救助条件而未获救助的家庭（应助未助为 0）。", (key,))
    text = f"经比对，期末仍有 {value_text(gap)}符合救助条件但回看期内未获得相应救助（应助未助）"
    top = sorted(((n, f) for n, f in per_unit if f.value), key=lambda nf: -(nf[1].value or 0))[:TOP_UNITS]
    if top:
        text += "，较多的是" + "、".join(f"{name}（{value_text(f)}）" for name, f in top)
    return Sentence(text + "。", (key,))


@dataclass(frozen=True)
class Reconciliation:
    registered: int  # 期末在册户数
    monitored: int  # 监测对象
    due_exit: int  # 应退未退: on the register with income above the monitoring line
    by_unit: dict[str, int]  # unit code -> 应退未退


def reconciliation(evaluator: Evaluator) -> Reconciliation | None:
    """在册 = 监测对象 + 应退未退 (+ 未评估), the identity of CaseloadDetail.reconciliation,
    from the one stock query (the whole caseload detail is not needed here)."""
    ctx = evaluator.context(KPI_BY_KEY["caseload_households"])
    if ctx is None:
        return None
    groups = caseload.stock(
        ctx.conn,
        towns=ctx.towns,
        as_of=ctx.as_of,
        floor_fen=ctx.standard.floor_fen,
        line_fen=ctx.standard.monitoring_line_fen,
        by=ctx.level,
    )
    monitored = sum(g.get("floor_households", 0) + g.get("monitored_households", 0) for g in groups.values())
    due = {code: g.get("above_households", 0) for code, g in groups.items()}
    unknown = sum(g.get("unknown_households", 0) for g in groups.values())
    return Reconciliation(monitored + sum(due.values()) + unknown, monitored, sum(due.values()), due)


def due_exit_sentence(rec: Reconciliation, names: dict[str, str]) -> Sentence:
    keys = ("caseload_households",)
    if rec.due_exit == 0:
        return Sentence(f"期末在册 {rec.registered:,} 户均在监测线以下，未发现应退未退家庭。", keys)
    text = (
        f"期末在册 {rec.registered:,} 户中，监测对象 {rec.monitored:,} 户，另有 {rec.due_exit:,} 户收入已高于监测线、"
        "尚未按程序退出（应退未退）"
    )
    top = sorted(((c, n) for c, n in rec.by_unit.items() if n), key=lambda cn: -cn[1])[:TOP_UNITS]
    if top:
        text += "，较多的是" + "、".join(f"{names.get(c, c)}（{n:,} 户）" for c, n in top)
    return Sentence(text + "。", keys)


def incomplete_sentences(figures: list[Figure]) -> list[Sentence]:
    """Figures whose department feeds stop before the period end, grouped by the note."""
    by_note: dict[str, list[Kpi]] = {}
    for f in figures:
        if f.incomplete and f.kpi not in by_note.setdefault(f.incomplete, []):
            by_note[f.incomplete].append(f.kpi)
    return [
        Sentence(
            f"{note}：{'、'.join(k.label for k in kpis)}暂不作达标评判，待数据报齐后更新，不属于工作落后。",
            tuple(k.key for k in kpis),
        )
        for note, kpis in by_note.items()
    ]


# -- 四、下步工作建议 --------------------------------------------------------------------------
def lagging(pack: Pack) -> list[tuple[Kpi, Figure | None, list[str]]]:
    """KPIs behind: the scope's own figure RED/AMBER, or units RED; with the units behind."""
    red_units: dict[str, list[str]] = {}
    for name, row in zip(pack.scorecard_units, pack.scorecard, strict=True):
        for f in row:
            if f.status is Status.RED:
                red_units.setdefault(f.kpi.key, []).append(name)
    out: list[tuple[Kpi, Figure | None, list[str]]] = []
    seen = set()
    for f in _headlines(pack):
        if f.status in (Status.RED, Status.AMBER) or f.kpi.key in red_units:
            out.append((f.kpi, f, red_units.get(f.kpi.key, [])))
            seen.add(f.kpi.key)
    for kpi in pack.scorecard_kpis:
        if kpi.key in red_units and kpi.key not in seen:
            out.append((kpi, None, red_units[kpi.key]))
    return out


def task_sentences(pack: Pack, today: date) -> list[Sentence]:
    """Open 督办 items of the scope, overdue first: who, what, by when, and the figure today."""
    open_tasks = [(t, f) for t, f in pack.tasks if t.status(today) != "closed"]
    open_tasks.sort(key=lambda tf: (tf[0].status(today) != "overdue", tf[0].deadline))
    out = []
    for task, figure in open_tasks:
        kpi = KPI_BY_KEY.get(task.kpi_key)
        if kpi is None:
            continue
        town = pack.town_names.get(task.town_code, task.town_code)
        owner = pack.town_names.get(task.owner, task.owner) if task.owner_kind == "town" else task.owner
        when = f"期限{cn_date(task.deadline)}" + ("，已逾期" if task.status(today) == "overdue" else "")
        text = f"{town}{kpi.label}督办事项（责任单位：{owner}，{when}）：{task.requirement.strip().rstrip('。')}"
        if figure is not None and figure.value is not None:
            text += f"；目前{kpi.label} {value_text(figure)}"
        out.append(Sentence(text + "。", (kpi.key,), quoted=True))
    return out


def suggestions(
    pack: Pack,
    gap: Figure | None,
    rec: Reconciliation | None,
    incomplete: list[Sentence],
    unit_word: str,
    today: date | None = None,
) -> list[Block]:
    blocks: list[tuple[str, Sentence | list[Sentence]]] = []
    for kpi, figure, units in lagging(pack):
        if kpi.direction is Direction.LOWER:
            title = f"控制{kpi.label}"
        else:
            title = f"加快{kpi.label}进度" if kpi.accumulates else f"提高{kpi.label}"
        text = ""
        if figure is not None and figure.attainment is not None and figure.status in STATUS_PHRASES:
            text = f"{kpi.label}完成度 {fmt.ratio(figure.attainment)}，{STATUS_PHRASES[figure.status]}。"
        text += f"建议由{kpi.department}牵头，对照方案{kpi.clause}"
        if units:
            text += f"，重点督促{'、'.join(units)}"
        text += "加快工作进度，确保完成目标。"
        blocks.append((title, Sentence(text, (kpi.key,))))
    if gap is not None and gap.value and not gap.incomplete:
        kpi = gap.kpi
        blocks.append(
            (
                "落实应助尽助",
                Sentence(
                    f"对应助未助的 {value_text(gap)}逐户核查，符合条件的及时纳入相应救助"
                    f"（{kpi.department}，方案{kpi.clause}）。",
                    (kpi.key,),
                ),
            )
        )
    if rec is not None and rec.due_exit:
        blocks.append(
            (
                "规范应退尽退",
                Sentence(
                    f"对收入已高于监测线的 {rec.due_exit:,} 户及时复核，"
                    "符合条件的按程序办理退出（民政局，方案二(一).3）。",
                    ("caseload_households",),
                ),
            )
        )
    if incomplete:
        departments = []
        for s in incomplete:
            for key in s.kpis:
                if KPI_BY_KEY[key].department not in departments:
                    departments.append(KPI_BY_KEY[key].department)
        blocks.append(
            (
                "按时报送数据",
                Sentence(
                    f"请{'、'.join(departments)}按时报送本期数据，以便对相关指标作完整评判。",
                    tuple(k for s in incomplete for k in s.kpis),
                ),
            )
        )
    tasks = task_sentences(pack, today or pack.meta.generated_at.date())
    if tasks:
        blocks.append(("抓好督办事项落实", tasks))
    if not blocks:
        blocks.append(
            (
                "巩固工作成效",
                Sentence(
                    f"主要指标均达到目标，各{unit_word}未出现落后于目标的情况，建议继续做好动态监测和常态化帮扶。",
                    tuple(f.kpi.key for f in _headlines(pack)),
                ),
            )
        )
    out = []
    for i, (title, said) in enumerate(blocks, start=1):
        sentences = said if isinstance(said, list) else [said]
        out.append(Block(f"（{numeral(i)}）{title}", sentences, split=len(sentences) > 1))
    return out


# -- tables (三线表 in Word, plain tables in the PDF) -----------------------------------------
def headline_rows(pack: Pack) -> tuple[list[str], list[list[str]]]:
    headers = ["指标", "完成值", "目标", "完成度", "状态"]
    rows = [
        [
            f.kpi.label,
            fmt.kpi_value(f.kpi, f.value),
            fmt.kpi_value(f.kpi, f.target) if f.target is not None else "—",
            fmt.ratio(f.attainment),
            STATUS_LABELS[f.status],
        ]
        for section in pack.sections
        for f in section.figures
    ]
    return headers, rows


def scorecard_rows(pack: Pack) -> tuple[list[str], list[list[str]]]:
    headers = ["单位", *(f"{k.short}（{k.unit}）" for k in pack.scorecard_kpis)]
    rows = [[name, *(_cell(f) for f in row)] for name, row in zip(pack.scorecard_units, pack.scorecard, strict=True)]
    return headers, rows


def _cell(figure: Figure) -> str:
    """The value with a mark when behind, close or incomplete (a 三线表 carries no colour)."""
    value = fmt.number(figure.value, figure.kpi.decimals)
    mark = SCORECARD_MARKS.get(figure.status)
    return f"{value} {mark}" if mark else value


# -- the whole report -------------------------------------------------------------------
def build_report(
    conn: Connection, pack: Pack, *, towns: tuple[str, ...], scope: str, issued: date | None = None
) -> Report:
    meta = pack.meta
    unit_word = "区镇" if scope == CITY_SCOPE else "村(社区)"
    evaluator = evaluator_for(conn, towns=towns, period=meta.period, scope=scope)
    units = units_for(conn, towns=towns, scope=scope)
    names = dict(units)
    gap_kpi = KPI_BY_KEY["relief_gaps"]
    gap = evaluator.figure(gap_kpi, scope, compare=False)  # no change is stated: skip the earlier periods
    per_unit = evaluator.unit_figures(gap_kpi, tuple(names))
    rec = reconciliation(evaluator)

    problems: list[tuple[str, list[Sentence], str | None]] = []  # (heading, sentences, table)
    behind = units_behind(pack, unit_word)
    if behind:
        problems.append((f"部分指标和{unit_word}进度落后", behind, "scorecard"))
    problems.append(("应助未助", [relief_gap_sentence(gap, [(names[c], f) for c, f in per_unit.items()])], None))
    if rec is not None:
        problems.append(("应退未退", [due_exit_sentence(rec, names)], None))
    every = _headlines(pack) + [f for row in pack.scorecard for f in row] + [gap]
    incomplete = incomplete_sentences(every)
    if incomplete:
        problems.append(("部分数据尚未报齐", incomplete, None))
    if not behind:
        judged = any(f.status in STATUS_PHRASES for row in pack.scorecard for f in row)
        said = (
            f"各{unit_word}设有目标的主要指标均达到目标。"
            if judged
            else f"各{unit_word}未单独设定目标，表2所列数值仅供对照，不作达标评判。"
        )
        problems.insert(
            0, (f"各{unit_word}主要指标", [Sentence(said, tuple(k.key for k in pack.scorecard_kpis))], "scorecard")
        )
    problem_blocks = [
        Block(f"（{numeral(i)}）{title}", sentences, table=table, split=len(sentences) > 1)
        for i, (title, sentences, table) in enumerate(problems, start=1)
    ]
    issuer = f"{meta.scope_name}建立解决相对贫困长效机制工作领导小组办公室"
    return Report(
        title=f"关于{meta.scope_name}{meta.period.label}建立解决相对贫困长效机制工作情况的汇报",
        pack=pack,
        parts=[
            Part("一、总体情况", overview(pack)),
            Part("二、主要指标完成情况", by_domain(pack)),
            Part("三、存在的问题", problem_blocks),
            Part("四、下步工作建议", suggestions(pack, gap, rec, incomplete, unit_word)),
        ],
        issuer=issuer,
        issued=issued or meta.generated_at.date(),
        unit_word=unit_word,
    )
