"""Feed kinds of 人社局: placements, training, entrepreneurship subsidies, guaranteed loans and
the job pool."""

from __future__ import annotations

from typing import Any

from data_access.ingest.fields import Day, Flag, Integer, Money, ParseContext, Text
from data_access.ingest.kinds.base import (
    CHANNEL,
    SUBSIDY_KIND,
    TOWN,
    Column,
    FeedKind,
    _derive_span,
    _latest,
    _not_before,
    _person,
)
from data_access.ingest.refs import MemberRef, TownRef
from data_access.models import EntrepreneurshipSubsidy, GuaranteedLoan, JobPosting, Placement, Training


def _derive_training(row: dict[str, Any], ctx: ParseContext) -> list[tuple[str, str]]:
    errors = _not_before(row, "completed_on", "started_on", "结业日期早于开班日期")
    if row.get("certified") and row.get("completed_on") is None:
        errors.append(("certified", "没有结业日期，不能填写取得证书"))
    return errors


def _derive_posting(row: dict[str, Any], ctx: ParseContext) -> list[tuple[str, str]]:
    errors = _not_before(row, "closed_on", "posted_on", "截止日期早于发布日期")
    if row.get("filled") is not None and row.get("vacancies") is not None and row["filled"] > row["vacancies"]:
        errors.append(("filled", "已招人数超过招聘人数"))
    return errors


DEPARTMENT_KINDS: tuple[FeedKind, ...] = (
    FeedKind(
        key="placements",
        label="就业安置",
        department="人社局",
        model=Placement,
        description="重点帮扶对象的就业安置（用人单位、弹性岗位、公益性岗位、劳务合作社）。",
        columns=(
            _person(),
            Column("安置渠道", "channel", CHANNEL, variants=("就业渠道", "安置方式"), example="用人单位吸纳"),
            Column(
                "用人单位",
                "employer",
                Text(80),
                required=False,
                variants=("就业单位", "单位名称"),
                example="昆山某某精密机械有限公司",
                default="",
            ),
            Column(
                "上岗日期", "started_on", Day(), variants=("开始日期", "安置日期", "就业日期"), example="2025-03-01"
            ),
            Column("离岗日期", "ended_on", Day(), required=False, variants=("结束日期", "终止日期"), example=""),
        ),
        natural_key=("member_id", "started_on"),
        stored=("member_id", "town_code", "channel", "employer", "started_on", "ended_on"),
        refs=(MemberRef("id_number"),),
        derive=_derive_span("started_on", "ended_on"),
        feed="employment",
        date_of=lambda r: _latest(r.get("started_on"), r.get("ended_on")),
        depends_on=("members",),
        export_sql=(
            "SELECT m.id_number, p.channel, p.employer, p.started_on, p.ended_on FROM placement p "
            "JOIN member m ON m.id = p.member_id ORDER BY p.id"
        ),
    ),
    FeedKind(
        key="trainings",
        label="技能培训",
        department="人社局",
        model=Training,
        description="免费技能培训的参训、结业和取证。",
        columns=(
            _person(),
            Column("培训项目", "course", Text(80), variants=("培训工种", "培训课程", "课程"), example="养老护理员"),
            Column("开班日期", "started_on", Day(), variants=("开始日期", "培训开始日期"), example="2025-04-01"),
            Column("结业日期", "completed_on", Day(), required=False, variants=("完成日期",), example="2025-04-20"),
            Column(
                "取得证书", "certified", Flag(), required=False, variants=("是否取证",), example="是", default=False
            ),
        ),
        natural_key=("member_id", "course", "started_on"),
        stored=("member_id", "town_code", "course", "started_on", "completed_on", "certified"),
        refs=(MemberRef("id_number"),),
        derive=_derive_training,
        feed="employment",
        date_of=lambda r: _latest(r.get("started_on"), r.get("completed_on")),
        depends_on=("members",),
        export_sql=(
            "SELECT m.id_number, t.course, t.started_on, t.completed_on, t.certified FROM training t "
            "JOIN member m ON m.id = t.member_id ORDER BY t.id"
        ),
    ),
    FeedKind(
        key="entrepreneurship_subsidies",
        label="创业补贴",
        department="人社局",
        model=EntrepreneurshipSubsidy,
        description="一次性开业补贴、创业带动就业补贴、创业租金补贴、创业社保补贴。",
        columns=(
            _person(),
            Column("补贴类型", "kind", SUBSIDY_KIND, variants=("补贴项目",), example="一次性开业补贴"),
            Column("发放日期", "granted_on", Day(), variants=("发放时间",), example="2025-05-10"),
            Column("金额（元）", "amount_fen", Money(1_000_000), variants=("补贴金额（元）",), example="8000.00"),
        ),
        natural_key=("member_id", "kind", "granted_on"),
        stored=("member_id", "town_code", "kind", "granted_on", "amount_fen"),
        refs=(MemberRef("id_number"),),
        feed="employment",
        date_of=lambda r: r.get("granted_on"),
        depends_on=("members",),
        export_sql=(
            "SELECT m.id_number, s.kind, s.granted_on, s.amount_fen FROM entrepreneurship_subsidy s "
            "JOIN member m ON m.id = s.member_id ORDER BY s.id"
        ),
    ),
    FeedKind(
        key="guaranteed_loans",
        label="创业担保贷款",
        department="人社局",
        model=GuaranteedLoan,
        description="创业担保贷款本金、期限及贴息。",
        columns=(
            _person(),
            Column("放款日期", "issued_on", Day(), variants=("发放日期", "贷款发放日期"), example="2025-06-01"),
            Column(
                "贷款本金（元）", "principal_fen", Money(10_000_000), variants=("贷款金额（元）",), example="200000.00"
            ),
            Column(
                "贴息金额（元）", "interest_subsidy_fen", Money(10_000_000), variants=("贴息（元）",), example="5000.00"
            ),
            Column("期限（月）", "term_months", Integer(1, 360, " 个月"), variants=("贷款期限（月）",), example="24"),
        ),
        natural_key=("member_id", "issued_on"),
        stored=("member_id", "town_code", "issued_on", "principal_fen", "interest_subsidy_fen", "term_months"),
        refs=(MemberRef("id_number"),),
        feed="employment",
        date_of=lambda r: r.get("issued_on"),
        depends_on=("members",),
        export_sql=(
            "SELECT m.id_number, g.issued_on, g.principal_fen, g.interest_subsidy_fen, g.term_months "
            "FROM guaranteed_loan g JOIN member m ON m.id = g.member_id ORDER BY g.id"
        ),
    ),
    FeedKind(
        key="job_postings",
        label="岗位储备库",
        department="人社局",
        model=JobPosting,
        description="岗位供给清单：各区镇登记的岗位、招聘人数和已招人数；同一岗位重复导入即更新进度。",
        columns=(
            TOWN,
            Column("用人单位", "employer", Text(80), variants=("单位名称",), example="昆山某某物业管理有限公司"),
            Column("岗位名称", "title", Text(80), variants=("岗位",), example="保洁员"),
            Column("岗位类别", "channel", CHANNEL, variants=("岗位类型", "安置渠道"), example="弹性岗位"),
            Column("发布日期", "posted_on", Day(), variants=("登记日期",), example="2025-05-01"),
            Column("截止日期", "closed_on", Day(), required=False, variants=("关闭日期",), example=""),
            Column("招聘人数", "vacancies", Integer(1, 100_000, " 人"), variants=("岗位数",), example="5"),
            Column(
                "已招人数",
                "filled",
                Integer(0, 100_000, " 人"),
                required=False,
                variants=("已安置人数",),
                example="2",
                default=0,
            ),
        ),
        natural_key=("town_code", "employer", "title", "channel", "posted_on"),
        stored=("town_code", "employer", "title", "channel", "posted_on", "closed_on", "vacancies", "filled"),
        refs=(TownRef(),),
        derive=_derive_posting,
        repeats_allowed=True,
        feed="employment",
        date_of=lambda r: _latest(r.get("posted_on"), r.get("closed_on")),
        export_sql=(
            "SELECT town_code, employer, title, channel, posted_on, closed_on, vacancies, filled FROM job_posting "
            "ORDER BY id"
        ),
    ),
)
