"""KPIs of 社会力量 (六) and the funds around the programme: 结对帮扶 and 志愿服务 (六.2, 六.4),
慈善资金 raised, spent and disclosed (六.3), 统筹整合资金 (组织保障.2); and of 乡村振兴 (五.1
village projects, 五.3 联农带农), shown with the collective economy. Shares of the register
(结对, 联农带农) read the month facts; sums and distinct households over the period read
assistance_record itself (a small table, one grouped query shared between KPIs)."""

from __future__ import annotations

from collections.abc import Callable

from data_access.queries import assistance
from metrics.domain.attainment import Direction
from metrics.kpis.core import Kpi, KpiValues, Measure, QueryContext
from metrics.kpis.facts import FEN_TO_WAN, _fact_stock, _lines

FUND_KINDS = ("charity_raised", "charity_spent", "pooled_fund", "village_project")


def fund_rows(ctx: QueryContext) -> dict[str, dict[str, dict[str, int]]]:
    """Per unit and kind: amount, disclosed amount and rows in the period (one query for all)."""
    return ctx.shared(
        "assistance_amounts",
        lambda: assistance.amounts(
            ctx.conn, towns=ctx.towns, kinds=FUND_KINDS, start=ctx.start, as_of=ctx.as_of, by=ctx.level
        ),
    )


def _amount(ctx: QueryContext, kind: str) -> KpiValues:
    return KpiValues({u: Measure(float(k[kind]["fen"])) for u, k in fund_rows(ctx).items() if kind in k})


_RUNNING_FACTS = {"pairing": "pairing_running", "industry_link": "industry_linked"}


def _running(ctx: QueryContext, kind: str) -> KpiValues:
    facts = _fact_stock(ctx, "caseload")
    if facts is not None:
        column = _RUNNING_FACTS[kind]
        return KpiValues(
            {
                t: Measure(float(r[column]), float(r["floor_households"] + r["monitored_households"]))
                for t, r in facts.items()
            }
        )
    rows = assistance.running_share(ctx.conn, towns=ctx.towns, kind=kind, as_of=ctx.as_of, by=ctx.level, **_lines(ctx))
    return KpiValues({u: Measure(float(covered), float(n)) for u, (n, covered) in rows.items()})


def pairing_rate(ctx: QueryContext) -> KpiValues:
    return _running(ctx, "pairing")


def industry_link_rate(ctx: QueryContext) -> KpiValues:
    return _running(ctx, "industry_link")


def volunteer_households(ctx: QueryContext) -> KpiValues:
    rows = assistance.served_households(
        ctx.conn, towns=ctx.towns, kind="volunteer_service", start=ctx.start, as_of=ctx.as_of, by=ctx.level
    )
    return KpiValues({u: Measure(float(n)) for u, n in rows.items()})


def charity_raised(ctx: QueryContext) -> KpiValues:
    return _amount(ctx, "charity_raised")


def charity_spent(ctx: QueryContext) -> KpiValues:
    return _amount(ctx, "charity_spent")


def charity_disclosure_rate(ctx: QueryContext) -> KpiValues:
    return KpiValues(
        {
            u: Measure(float(k["charity_spent"]["disclosed_fen"]), float(k["charity_spent"]["fen"]))
            for u, k in fund_rows(ctx).items()
            if "charity_spent" in k
        }
    )


def pooled_funds(ctx: QueryContext) -> KpiValues:
    return _amount(ctx, "pooled_fund")


def village_project_funds(ctx: QueryContext) -> KpiValues:
    return _amount(ctx, "village_project")


def _money(
    key: str,
    label: str,
    department: str,
    clause: str,
    meaning: str,
    formula: str,
    feed: str,
    compute: Callable[[QueryContext], KpiValues],
) -> Kpi:
    return Kpi(
        key=key,
        label=label,
        unit="万元",
        department=department,
        direction=Direction.HIGHER,
        domain="forces",
        clause=clause,
        meaning=meaning,
        formula=formula,
        feed=feed,
        accumulates=True,
        compute=compute,
        scale=FEN_TO_WAN,
        decimals=2,
    )


DOMAIN_KPIS: tuple[Kpi, ...] = (
    Kpi(
        key="pairing_rate",
        short_label="结对帮扶覆盖率",
        label="社会力量结对帮扶覆盖率",
        unit="%",
        department="民政局",
        direction=Direction.HIGHER,
        domain="forces",
        clause="六.4",
        meaning="期末低保、低保边缘家庭中有企事业单位、社会组织或慈善机构结对帮扶（结对在期末仍在进行）的比例"
        "（六.4：引导和鼓励通过结对帮扶为相对贫困群体提供服务）。",
        formula="期末有进行中结对的监测户 ÷ 期末监测户 × 100%",
        feed="welfare",
        accumulates=False,
        compute=pairing_rate,
        scale=100.0,
        decimals=1,
    ),
    Kpi(
        key="volunteer_households",
        short_label="志愿服务户数",
        label="接受志愿服务的家庭户数",
        unit="户",
        department="民政局",
        direction=Direction.HIGHER,
        domain="forces",
        clause="六.2、六.4",
        meaning="期内接受过志愿服务的家庭户数（六.2：积极开展对相对贫困群体的志愿服务；一户多次只计一次）。",
        formula="服务日期在期内的志愿服务记录所涉家庭数（按户去重）",
        feed="welfare",
        accumulates=True,
        compute=volunteer_households,
    ),
    _money(
        "charity_raised",
        "慈善资金募集额",
        "民政局",
        "六.3",
        "期内慈善总会等募集的帮扶资金（六.3：积极开展公益活动，募集资金帮扶相对困难群体），按区镇统计。",
        "到账日期在期内的慈善资金募集金额之和（元 ÷ 10,000）",
        "charity",
        charity_raised,
    ),
    _money(
        "charity_spent",
        "慈善资金使用额",
        "民政局",
        "六.3",
        "期内用于相对贫困群体的慈善资金（生活帮扶、助医、助学、助残等），按区镇统计。",
        "拨付日期在期内的慈善资金使用金额之和（元 ÷ 10,000）",
        "charity",
        charity_spent,
    ),
    Kpi(
        key="charity_disclosure_rate",
        short_label="慈善资金公开率",
        label="慈善资金使用信息公开率",
        unit="%",
        department="民政局",
        direction=Direction.HIGHER,
        domain="forces",
        clause="六.3",
        meaning="期内慈善资金使用金额中已向社会公开的比例（六.3：加大公益资金使用、项目实施的信息公开力度）。",
        formula="期内已公开的使用金额 ÷ 期内使用金额 × 100%（按金额）",
        feed="charity",
        accumulates=True,
        compute=charity_disclosure_rate,
        scale=100.0,
        decimals=1,
    ),
    _money(
        "pooled_funds",
        "统筹整合涉农资金",
        "财政局",
        "组织保障.2",
        "期内按区镇下达的统筹整合涉农资金（组织保障.2：统筹整合各类涉农资金，确保扶贫资金落实到位），不含救助预算。",
        "下达日期在期内的统筹整合资金之和（元 ÷ 10,000）",
        "finance",
        pooled_funds,
    ),
)

# 五.1 / 五.3 (shown with the collective economy, domain "dividends").
RURAL_KPIS: tuple[Kpi, ...] = (
    Kpi(
        key="village_project_funds",
        short_label="乡村振兴项目投入",
        label="乡村振兴项目投入",
        unit="万元",
        department="农业农村局",
        direction=Direction.HIGHER,
        domain="dividends",
        clause="五.1",
        meaning="期内开工的乡村振兴项目投入（基础设施、产业发展、社区改造、公共服务；五.1：推动资源向这些方面倾斜），"
        "投向经济相对薄弱村的部分见页面表格。",
        formula="开工日期在期内的项目投入金额之和（元 ÷ 10,000）",
        feed="rural",
        accumulates=True,
        compute=village_project_funds,
        scale=FEN_TO_WAN,
        decimals=2,
    ),
    Kpi(
        key="industry_link_rate",
        short_label="联农带农覆盖率",
        label="产业利益联结覆盖率",
        unit="%",
        department="农业农村局",
        direction=Direction.HIGHER,
        domain="dividends",
        clause="五.3",
        meaning="期末低保、低保边缘家庭中与龙头企业、农民专业合作社或家庭农场建立产业利益联结（期末仍在进行）的比例"
        "（五.3：引导支持经营主体与低收入农户建立产业利益联结机制）。",
        formula="期末有进行中利益联结的监测户 ÷ 期末监测户 × 100%",
        feed="rural",
        accumulates=False,
        compute=industry_link_rate,
        scale=100.0,
        decimals=1,
    ),
)

# The headline KPIs: this domain's page cards and briefing figures, in order.
CARDS: tuple[str, ...] = (
    "pairing_rate",
    "volunteer_households",
    "charity_raised",
    "charity_spent",
    "charity_disclosure_rate",
    "pooled_funds",
)
