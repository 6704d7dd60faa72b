"""Who may see what. Enforced here, below the pages: every query is scoped by the towns a
principal may see, and personal data leaves masked unless the principal has the right."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

ROLES = {"leader": "领导", "department": "部门负责人", "town": "区镇操作员", "admin": "管理员"}
DEPARTMENTS = ("民政局", "人社局", "医保局", "教育局", "住建局", "司法局", "农业农村局", "财政局", "残联")


class AccessDenied(PermissionError):
    pass


@dataclass(frozen=True)
class Principal:
    username: str
    display_name: str
    role: str
    department: str = ""
    town_code: str = ""

    @property
    def role_label(self) -> str:
        label = ROLES.get(self.role, self.role)
        return f"{label}（{self.department}）" if self.role == "department" and self.department else label

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def visible_towns(self, all_towns: Collection[str]) -> tuple[str, ...]:
        """A town operator sees their own town; everyone else sees every town."""
        towns = tuple(all_towns)
        if self.role == "town":
            return tuple(t for t in towns if t == self.town_code)
        if self.role in ROLES:
            return towns
        return ()

    def may_list(self, *, town: str, departments: Collection[str]) -> bool:
        """May this principal see household or member lists (masked) of a town for a domain?

        Department heads see the lists of the domains their department answers for, others
        only as aggregates; town operators see their own town's lists; the leading group
        sees lists too, always masked.
        """
        if self.role == "town":
            return town == self.town_code
        if self.role == "department":
            return self.department in departments
        return self.role in {"leader", "admin"}

    def may_unmask(self, *, town: str, departments: Collection[str]) -> bool:
        """Unmasking (full names, ID and phone numbers) is for those who do the casework."""
        if self.role == "town":
            return town == self.town_code
        if self.role == "department":
            return self.department in departments
        return False

    def check_list(self, *, town: str, departments: Collection[str]) -> None:
        if not self.may_list(town=town, departments=departments):
            raise AccessDenied("无权查看该名单：仅向责任单位和所在区镇开放")
