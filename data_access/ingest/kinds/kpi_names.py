"""The KPIs a goal may be set for, as the goals feed accepts them: generated from
metrics' registry by `python -m metrics.definitions` (the data layer cannot import the
registry); tests/test_docs.py fails when this file is stale."""

# (key, label, short label or empty, unit)
KPI_NAMES: tuple[tuple[str, str, str, str], ...] = (
    ("caseload_households", "监测对象户数", "", "户"),
    ("caseload_persons", "监测对象人数", "", "人"),
    ("floor_households", "低保户数（兜底线以下）", "低保户数", "户"),
    ("new_entries", "新增监测对象", "", "户"),
    ("exits", "退出监测对象", "", "户"),
    ("overdue_reviews", "审核超期件数", "", "件"),
    ("warning_households", "风险预警户数", "", "户"),
    ("review_days", "审核认定平均用时（提交至区镇审核认定）", "审核认定平均用时", "天"),
    ("returns_rate", "返贫率（退出后观察期内再次纳入）", "返贫率", "%"),
    ("relief_spending", "救助支出", "", "万元"),
    ("relief_budget_execution", "救助预算执行率", "预算执行率", "%"),
    ("relief_payments", "救助户次", "", "户次"),
    ("relief_persons", "救助人次", "", "人次"),
    ("relief_average", "户均救助金额", "", "元/户次"),
    ("relief_gaps", "应助未助", "", "户次"),
    ("placement_rate", "就业重点帮扶对象安置率", "就业安置率", "%"),
    ("key_targets", "就业重点帮扶对象", "", "人"),
    ("retention_rate", "稳定就业率", "稳岗率", "%"),
    ("plan_share", "“一人一策”覆盖率", "一人一策覆盖率", "%"),
    ("new_placements", "新增就业安置", "", "人"),
    ("trainings_started", "技能培训人次", "", "人次"),
    ("dividend_compliance", "分红达标合作社占比", "分红达标率", "%"),
    ("dividends_total", "股份合作社红利分配总额", "红利分配总额", "万元"),
    ("fumin_households", "富民合作社分红受益户", "富民分红户数", "户"),
    ("pension_coverage", "城乡居民养老保险覆盖率", "养老保险覆盖率", "%"),
    ("medical_coverage", "居民医保参保率", "医保参保率", "%"),
    ("ltc_coverage", "长期护理保险覆盖率", "长护险覆盖率", "%"),
    ("pension_premium_subsidy", "城乡居民养老保险资助参保率", "养老保险资助参保率", "%"),
    ("medical_premium_subsidy", "居民医保资助参保率", "医保资助参保率", "%"),
    ("cadre_link_rate", "村(社区)干部挂钩联系覆盖率", "干部挂钩率", "%"),
    ("cadre_visit_rate", "挂钩干部近期走访率", "近期走访率", "%"),
)
