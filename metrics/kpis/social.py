"""KPIs of 社会保障衔接: pension, medical and long-term-care coverage, premium subsidies (四.2,
四.3), 防贫保险 coverage (三.7), elderly care (四.4), and the cadre linkage of 六.2 (挂钩联系),
shown on the same page."""

from __future__ import annotations

from datetime import date, timedelta

from data_access.queries import assistance, social
from metrics.domain.attainment import Direction
from metrics.kpis.core import Kpi, KpiValues, Measure, QueryContext
from metrics.kpis.facts import (
    _fact_stock,
    _lines,
    _ratio,
    _years_before,
)

_DAY = timedelta(days=1)


def _coverage(ctx: QueryContext, scheme: str) -> KpiValues:
    facts = _fact_stock(ctx, "employment" if scheme == "pension" else "medical")
    if facts is not None:
        return KpiValues(
            {t: Measure(float(r[f"{scheme}_covered"]), float(r[f"{scheme}_eligible"])) for t, r in facts.items()}
        )
    born_before = _years_before(ctx.as_of, int(ctx.settings["pension_min_age"]))
    rows = social.coverage(
        ctx.conn, towns=ctx.towns, scheme=scheme, as_of=ctx.as_of, born_before=born_before, by=ctx.level, **_lines(ctx)
    )
    return KpiValues(_ratio(rows))


def pension_coverage(ctx: QueryContext) -> KpiValues:
    return _coverage(ctx, "pension")


def medical_coverage(ctx: QueryContext) -> KpiValues:
    return _coverage(ctx, "medical")


def ltc_coverage(ctx: QueryContext) -> KpiValues:
    return _coverage(ctx, "ltc")


def anti_poverty_insurance_coverage(ctx: QueryContext) -> KpiValues:
    facts = _fact_stock(ctx, "medical")
    if facts is not None:
        return KpiValues(
            {t: Measure(float(r["anti_poverty_covered"]), float(r["anti_poverty_eligible"])) for t, r in facts.items()}
        )
    rows = social.coverage(
        ctx.conn,
        towns=ctx.towns,
        scheme="anti_poverty",
        as_of=ctx.as_of,
        born_before=ctx.as_of,  # every member counts
        by=ctx.level,
        **_lines(ctx),
    )
    return KpiValues(_ratio(rows))


def elderly_visit_from(ctx: QueryContext) -> date:
    """First day of the elderly-visit window: as_of minus the setting's days (that day counts)."""
    return ctx.as_of - int(ctx.settings["elderly_visit_days"]) * _DAY


def elderly_visit_rate(ctx: QueryContext) -> KpiValues:
    facts = _fact_stock(ctx, "caseload")
    if facts is not None:
        return KpiValues({t: Measure(float(r["elderly_visited"]), float(r["elderly"])) for t, r in facts.items()})
    rows = assistance.elderly_visits(
        ctx.conn,
        towns=ctx.towns,
        as_of=ctx.as_of,
        visited_from=elderly_visit_from(ctx),
        born_before=_years_before(ctx.as_of, int(ctx.settings["elderly_min_age"])),
        by=ctx.level,
        **_lines(ctx),
    )
    return KpiValues({u: Measure(float(visited), float(elderly)) for u, (elderly, visited) in rows.items()})


def home_retrofits(ctx: QueryContext) -> KpiValues:
    rows = assistance.served_households(
        ctx.conn, towns=ctx.towns, kind="home_retrofit", start=ctx.start, as_of=ctx.as_of, by=ctx.level
    )
    return KpiValues({u: Measure(float(n)) for u, n in rows.items()})


def premium_subsidy_rows(ctx: QueryContext) -> dict[str, dict[str, int]]:
    """Per unit: members enrolled in resident pension / 居民医保 and those subsidised (四.2, 四.3);
    from the month-end facts where they were built for these arguments."""
    pension, medical = _fact_stock(ctx, "employment"), _fact_stock(ctx, "medical")
    if pension is not None and medical is not None:
        return {
            unit: {
                "pension_enrolled": pension.get(unit, {}).get("pension_subsidy_enrolled", 0),
                "pension_subsidised": pension.get(unit, {}).get("pension_subsidised", 0),
                "medical_enrolled": medical.get(unit, {}).get("medical_subsidy_enrolled", 0),
                "medical_subsidised": medical.get(unit, {}).get("medical_subsidised", 0),
            }
            for unit in sorted(set(pension) | set(medical))
        }
    return ctx.shared(
        "premium_subsidy",
        lambda: social.premium_subsidy(ctx.conn, towns=ctx.towns, as_of=ctx.as_of, by=ctx.level, **_lines(ctx)),
    )


def _subsidy(ctx: QueryContext, scheme: str) -> KpiValues:
    facts = _fact_stock(ctx, "employment" if scheme == "pension" else "medical")
    if facts is not None:
        return KpiValues(
            {
                t: Measure(float(r[f"{scheme}_subsidised"]), float(r[f"{scheme}_subsidy_enrolled"]))
                for t, r in facts.items()
            }
        )
    rows = premium_subsidy_rows(ctx)
    return KpiValues(
        {t: Measure(float(r[f"{scheme}_subsidised"]), float(r[f"{scheme}_enrolled"])) for t, r in rows.items()}
    )


def pension_premium_subsidy(ctx: QueryContext) -> KpiValues:
    return _subsidy(ctx, "pension")


def medical_premium_subsidy(ctx: QueryContext) -> KpiValues:
    return _subsidy(ctx, "medical")


def visited_from(ctx: QueryContext) -> date:
    """First day of the visit window: as_of minus the setting's days (that day counts)."""
    return ctx.as_of - int(ctx.settings["cadre_visit_days"]) * _DAY


def cadre_rows(ctx: QueryContext) -> dict[str, dict[str, int]]:
    """Per unit: monitored households, those with a linked cadre, those visited in the window
    (六.2); from the month-end facts where they were built for these arguments."""
    facts = _fact_stock(ctx, "caseload")
    if facts is not None:
        return {
            unit: {
                "households": r["floor_households"] + r["monitored_households"],
                "linked": r["cadre_linked"],
                "visited": r["cadre_visited"],
            }
            for unit, r in facts.items()
        }
    return ctx.shared(
        "cadre_linkage",
        lambda: social.cadre_linkage(
            ctx.conn, towns=ctx.towns, as_of=ctx.as_of, visited_from=visited_from(ctx), by=ctx.level, **_lines(ctx)
        ),
    )


def _cadre(ctx: QueryContext, part: str) -> KpiValues:
    facts = _fact_stock(ctx, "caseload")
    if facts is not None:
        return KpiValues(
            {
                t: Measure(float(r[f"cadre_{part}"]), float(r["floor_households"] + r["monitored_households"]))
                for t, r in facts.items()
            }
        )
    return KpiValues({t: Measure(float(r[part]), float(r["households"])) for t, r in cadre_rows(ctx).items()})


def cadre_link_rate(ctx: QueryContext) -> KpiValues:
    return _cadre(ctx, "linked")


def cadre_visit_rate(ctx: QueryContext) -> KpiValues:
    return _cadre(ctx, "visited")


DOMAIN_KPIS: tuple[Kpi, ...] = (
    Kpi(
        key="pension_coverage",
        short_label="养老保险覆盖率",
        label="城乡居民养老保险覆盖率",
        unit="%",
        department="人社局",
        direction=Direction.HIGHER,
        domain="social",
        clause="四.1",
        meaning="监测对象家庭中16周岁及以上非在校成员参加城乡居民或职工养老保险的比例（“一个不少”，目标100%）。",
        formula="期末参保的适龄成员 ÷ 适龄成员 × 100%（起始年龄为设置项）",
        feed="employment",
        accumulates=False,
        compute=pension_coverage,
        scale=100.0,
        decimals=1,
    ),
    Kpi(
        key="medical_coverage",
        short_label="医保参保率",
        label="居民医保参保率",
        unit="%",
        department="医保局",
        direction=Direction.HIGHER,
        domain="social",
        clause="四.3",
        meaning="低保、低保边缘家庭成员参加居民医保的比例（应保尽保，目标100%）。",
        formula="期末参加居民医保的成员 ÷ 低保及低保边缘家庭成员 × 100%",
        feed="medical",
        accumulates=False,
        compute=medical_coverage,
        scale=100.0,
        decimals=1,
    ),
    Kpi(
        key="ltc_coverage",
        label="长期护理保险覆盖率",
        unit="%",
        short_label="长护险覆盖率",
        department="医保局",
        direction=Direction.HIGHER,
        domain="social",
        clause="四.3",
        meaning="监测对象家庭中重度残疾（失能）成员纳入长期护理保险的比例（目标100%）。",
        formula="期末参加长期护理保险的重度残疾成员 ÷ 重度残疾成员 × 100%",
        feed="medical",
        accumulates=False,
        compute=ltc_coverage,
        scale=100.0,
        decimals=1,
    ),
    Kpi(
        key="pension_premium_subsidy",
        short_label="养老保险资助参保率",
        label="城乡居民养老保险资助参保率",
        unit="%",
        department="人社局",
        direction=Direction.HIGHER,
        domain="social",
        clause="四.2",
        meaning="低保、低保边缘家庭（低收入人口）中期末参加城乡居民养老保险的成员，由政府资助缴费（缴费补贴）的比例"
        "（四.2：按缴费档次给予低收入人口缴费补贴，应补尽补，按人去重）。职工养老保险由单位和个人缴费，不计入。",
        formula="期末城乡居民养老保险资助参保人数 ÷ 期末参加城乡居民养老保险的低保及低保边缘家庭成员 × 100%",
        feed="employment",
        accumulates=False,
        compute=pension_premium_subsidy,
        scale=100.0,
        decimals=1,
    ),
    Kpi(
        key="medical_premium_subsidy",
        short_label="医保资助参保率",
        label="居民医保资助参保率",
        unit="%",
        department="医保局",
        direction=Direction.HIGHER,
        domain="social",
        clause="四.3",
        meaning="低保、低保边缘家庭中期末参加居民医保的成员享受保费补助（资助参保）的比例"
        "（四.3：低保、低保边缘户全部纳入居民医保，享受保费补助，目标100%，按人去重）。",
        formula="期末居民医保资助参保人数 ÷ 期末参加居民医保的低保及低保边缘家庭成员 × 100%",
        feed="medical",
        accumulates=False,
        compute=medical_premium_subsidy,
        scale=100.0,
        decimals=1,
    ),
    Kpi(
        key="cadre_link_rate",
        short_label="干部挂钩率",
        label="村(社区)干部挂钩联系覆盖率",
        unit="%",
        department="农业农村局",
        direction=Direction.HIGHER,
        domain="social",
        clause="六.2",
        meaning="期末低保、低保边缘家庭（相对贫困监测对象）中已有村(社区)干部挂钩联系的比例"
        "（六.2：建立村(社区)干部挂钩联系帮扶对象机制；牵头单位市农业农村局，各区镇落实，挂钩名单由民政局报送）。",
        formula="期末已挂钩（挂钩日期不晚于期末）的监测户 ÷ 期末监测户 × 100%",
        feed="caseload",
        accumulates=False,
        compute=cadre_link_rate,
        scale=100.0,
        decimals=1,
    ),
    Kpi(
        key="cadre_visit_rate",
        short_label="近期走访率",
        label="挂钩干部近期走访率",
        unit="%",
        department="农业农村局",
        direction=Direction.HIGHER,
        domain="social",
        clause="六.2",
        meaning="期末监测户中挂钩干部最近一次走访在期末前N天内（含第N天，N为设置项，默认90天）的比例；"
        "未挂钩的户计为未走访（六.2：精准掌握基本情况和帮扶动态）。只存最近一次走访日期，"
        "回看历史期间时，期末之后又走访过的户计为未走访。",
        formula="最近走访日期在［期末−N天，期末］内的监测户 ÷ 期末监测户 × 100%",
        feed="caseload",
        accumulates=False,
        compute=cadre_visit_rate,
        scale=100.0,
        decimals=1,
    ),
    Kpi(
        key="anti_poverty_insurance_coverage",
        short_label="防贫保险参保率",
        label="精准医疗防贫保险参保率",
        unit="%",
        department="农业农村局",
        direction=Direction.HIGHER,
        domain="social",
        clause="三.7",
        meaning="期末低保、低保边缘家庭成员中参加精准医疗防贫保险的比例（三.7：探索为相对贫困群体购买精准医疗"
        "防贫保险；牵头单位市农业农村局）。理赔金额计入救助支出的“保险补充”。",
        formula="期末在保的低保及低保边缘家庭成员 ÷ 低保及低保边缘家庭成员 × 100%（按人去重）",
        feed="rural",
        accumulates=False,
        compute=anti_poverty_insurance_coverage,
        scale=100.0,
        decimals=1,
    ),
    Kpi(
        key="elderly_visit_rate",
        short_label="老年人探访率",
        label="特殊困难老年人居家探访率",
        unit="%",
        department="民政局",
        direction=Direction.HIGHER,
        domain="social",
        clause="四.4",
        meaning="期末低保、低保边缘家庭中的老年人（年龄起点为设置项，默认60岁）在期末前N天内（含第N天，N为设置项，"
        "默认90天）接受过居家探访的比例（四.4：建立特殊困难老年人居家探访制度）。",
        formula="期末前N天内有探访记录的老年人 ÷ 期末低保及低保边缘家庭中的老年人 × 100%（按人去重）",
        feed="welfare",
        accumulates=False,
        compute=elderly_visit_rate,
        scale=100.0,
        decimals=1,
    ),
    Kpi(
        key="home_retrofits",
        short_label="适老化改造户数",
        label="困难老年人家庭适老化改造户数",
        unit="户",
        department="民政局",
        direction=Direction.HIGHER,
        domain="social",
        clause="四.4",
        meaning="期内完成适老化改造的困难老年人家庭户数（四.4：加快困难老年人家庭适老化改造；一户多次只计一次）。",
        formula="改造日期在期内的适老化改造记录所涉家庭数（按户去重）",
        feed="welfare",
        accumulates=True,
        compute=home_retrofits,
    ),
)

# The headline KPIs: this domain's page cards and briefing figures, in order.
CARDS: tuple[str, ...] = (
    "pension_coverage",
    "medical_coverage",
    "ltc_coverage",
    "pension_premium_subsidy",
    "cadre_link_rate",
)
