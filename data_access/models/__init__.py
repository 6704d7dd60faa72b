"""All tables of the store; importing this module registers them on SQLModel.metadata."""

from data_access.models.analytics import (
    AnalyticsMonth,
    AnalyticsState,
    FactCaseloadMonth,
    FactCauseMonth,
    FactDividendYear,
    FactEmploymentMonth,
    FactHousingSpan,
    FactMedicalMonth,
    FactPlacementSpan,
    FactReliefMonth,
    FactReturnMonth,
    FactReviewWaitMonth,
)
from data_access.models.api import ApiRateWindow, ApiToken
from data_access.models.assistance import AssistanceRecord
from data_access.models.auth import AuditEvent, UserAccount
from data_access.models.cooperative import Cooperative, CooperativeYear, FuminDividend
from data_access.models.employment import (
    EntrepreneurshipSubsidy,
    GuaranteedLoan,
    JobPosting,
    Placement,
    Training,
)
from data_access.models.geo import Town, Village
from data_access.models.goal_history import GoalHistory
from data_access.models.governance import FeedStatus, Goal, Setting
from data_access.models.household import CaseEvent, Household, IncomeAssessment, Member
from data_access.models.ingest import ImportBatch, ImportChange
from data_access.models.relief import ReliefBudget, ReliefPayment
from data_access.models.social import CadreLink, InsuranceEnrolment
from data_access.models.standards import LivingStandard
from data_access.models.supervision import MeetingRemark, Signoff, SupervisionTask, TaskReply
from data_access.models.web import WebSession

__all__ = [
    "AnalyticsMonth",
    "AnalyticsState",
    "ApiRateWindow",
    "ApiToken",
    "AssistanceRecord",
    "AuditEvent",
    "CadreLink",
    "CaseEvent",
    "Cooperative",
    "CooperativeYear",
    "EntrepreneurshipSubsidy",
    "FactCaseloadMonth",
    "FactCauseMonth",
    "FactDividendYear",
    "FactEmploymentMonth",
    "FactHousingSpan",
    "FactMedicalMonth",
    "FactPlacementSpan",
    "FactReliefMonth",
    "FactReturnMonth",
    "FactReviewWaitMonth",
    "FeedStatus",
    "FuminDividend",
    "Goal",
    "GoalHistory",
    "GuaranteedLoan",
    "Household",
    "ImportBatch",
    "ImportChange",
    "IncomeAssessment",
    "InsuranceEnrolment",
    "JobPosting",
    "LivingStandard",
    "MeetingRemark",
    "Member",
    "Placement",
    "ReliefBudget",
    "ReliefPayment",
    "Setting",
    "Signoff",
    "SupervisionTask",
    "TaskReply",
    "Town",
    "Training",
    "UserAccount",
    "Village",
    "WebSession",
]
