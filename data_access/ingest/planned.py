"""What validation finds: the plan of a file (rows to add and update, household moves,
problems, samples of changed fields) and its parts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from data_access.ingest.kinds import FeedKind
from data_access.ingest.report import Problem

HEADER_SCAN_ROWS = 10  # title rows and merged group headers may sit above the real header
MAX_PROBLEMS = 50_000  # beyond this only the count is kept: a wrong file must not exhaust memory
SAMPLES_PER_FIELD = 5  # old -> new examples the dry run shows for each changed column
# Stored fields that are not a column of the file (resolved or derived), as the dry run names them.
FIELD_LABELS = {"household_id": "所属家庭", "town_code": "区镇代码", "department": "责任单位", "member_id": "成员"}


@dataclass
class Update:
    row_id: Any  # primary key
    new: dict[str, Any]  # every stored field: a column absent from the file carries the stored value
    old: dict[str, Any]
    number: int  # Excel row

    @property
    def changed(self) -> list[str]:
        return [f for f in self.new if self.old.get(f) != self.new[f]]


@dataclass(frozen=True)
class FieldChange:
    """One changed value of an updated row, for the dry run's old -> new sample."""

    row: int
    field: str  # the column as the dry run names it
    old: str
    new: str


@dataclass(frozen=True)
class Move:
    """A member row that puts a person into another household than the stored one."""

    row: int
    name: str
    id_number: str
    old_household: str  # “户主 张三（320583…0011）”
    new_household: str
    was_head: bool  # the person is the registered head of the household left

    def describe(self) -> str:
        head = "（原家庭的户主）" if self.was_head else ""
        return f"第 {self.row} 行：{self.name}{head} 从{self.old_household}的家庭移入{self.new_household}的家庭"


@dataclass
class Plan:
    kind: FeedKind
    file_name: str
    sha256: str
    encoding: str | None = None
    rows_total: int = 0
    rows_rejected: int = 0
    adds: list[dict[str, Any]] = field(default_factory=list)
    add_numbers: list[int] = field(default_factory=list)
    updates: list[Update] = field(default_factory=list)  # moves included: a move is written as an update
    moves: list[Move] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)  # optional columns not in the file: stored values kept
    field_changes: dict[str, int] = field(default_factory=dict)  # column -> updated rows whose value changes
    samples: list[FieldChange] = field(default_factory=list)
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    problems_dropped: int = 0
    feed_dates: dict[str, date | None] = field(default_factory=dict)  # feeds the rows date
    departments: set[str] = field(default_factory=set)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]

    @property
    def ok(self) -> bool:
        return not self.errors and self.rows_total > 0

    @property
    def changes(self) -> int:
        return len(self.adds) + len(self.updates)

    @property
    def department(self) -> str:
        return "、".join(sorted(self.departments)) or self.kind.department

    def counts(self) -> dict[str, int]:
        return {
            "数据行": self.rows_total,
            "新增": len(self.adds),
            "更新": len(self.updates) - len(self.moves),
            "变更家庭": len(self.moves),
            "无变化": self.unchanged,
            "拒绝": self.rows_rejected,
        }

    def summary(self) -> str:
        c = self.counts()
        moves = f"、{c['变更家庭']:,} 人变更所属家庭（见“家庭变动”）" if c["变更家庭"] else ""
        text = (
            f"{self.kind.label}：共 {c['数据行']:,} 行，将新增 {c['新增']:,} 行、更新 {c['更新']:,} 行{moves}，"
            f"{c['无变化']:,} 行与系统中相同，{c['拒绝']:,} 行有错误"
        )
        if self.errors:
            more = f"（另有 {self.problems_dropped:,} 个问题未列出）" if self.problems_dropped else ""
            return text + f"；发现 {len(self.errors):,} 个错误{more}，整个文件不会导入。"
        return text + "。"

    def add_problem(self, problem: Problem) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)
        else:
            self.problems_dropped += 1
