"""Feed kind of 人社局 and 医保局: pension, medical and long-term-care enrolments."""

from __future__ import annotations

from data_access.ingest.fields import Day, Flag
from data_access.ingest.kinds.base import (
    SCHEME,
    SCHEME_DEPARTMENTS,
    SCHEME_FEEDS,
    Column,
    FeedKind,
    _derive_span,
    _latest,
    _person,
)
from data_access.ingest.refs import MemberRef
from data_access.models import InsuranceEnrolment

DEPARTMENT_KINDS: tuple[FeedKind, ...] = (
    FeedKind(
        key="insurance_enrolments",
        label="参保记录",
        department="人社局、医保局、农业农村局",
        model=InsuranceEnrolment,
        description="城乡居民养老保险、职工养老保险（人社局），居民医保、长期护理保险（医保局）（四.1、四.3），防贫保险（农业农村局，三.7）。",
        columns=(
            _person(),
            Column("险种", "scheme", SCHEME, variants=("参保险种", "保险类型"), example="居民医保"),
            Column("参保日期", "enrolled_on", Day(), variants=("参保时间", "开始日期"), example="2024-01-01"),
            Column("终止日期", "ended_on", Day(), required=False, variants=("停保日期", "结束日期"), example=""),
            Column(
                "政府资助参保",
                "premium_subsidised",
                Flag(),
                required=False,
                variants=("资助参保", "代缴"),
                example="是",
                default=False,
            ),
        ),
        natural_key=("member_id", "scheme", "enrolled_on"),
        stored=("member_id", "scheme", "enrolled_on", "ended_on", "premium_subsidised"),
        refs=(MemberRef("id_number"),),
        derive=_derive_span("enrolled_on", "ended_on"),
        feed_of=lambda r: SCHEME_FEEDS.get(r.get("scheme", "")),
        department_of=lambda r: SCHEME_DEPARTMENTS[r["scheme"]],
        date_of=lambda r: _latest(r.get("enrolled_on"), r.get("ended_on")),
        depends_on=("members",),
        export_sql=(
            "SELECT m.id_number, i.scheme, i.enrolled_on, i.ended_on, i.premium_subsidised FROM insurance_enrolment i "
            "JOIN member m ON m.id = i.member_id ORDER BY i.id"
        ),
    ),
)
