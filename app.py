"""昆山市建立解决相对贫困长效机制 领导驾驶舱: entry point and router.

Resolves the store, the user's visible towns and the sidebar filters once per run,
then hands over to the selected page in pages/.
"""

from __future__ import annotations

import time

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from pages.ui import auth, runtime, store, style
from pages.ui.context import ROUTE_PARAM, PageContext, publish
from pages.ui.errors import show_store_error
from pages.ui.filters import sidebar_filters

st.set_page_config(page_title="相对贫困长效机制 领导驾驶舱", page_icon=":material/monitoring:", layout="wide")
style.apply()

PAGES = {
    "overview.py": st.Page("pages/overview.py", title="总览", url_path="overview"),
    "caseload.py": st.Page("pages/caseload.py", title="监测对象", url_path="caseload"),
    "relief.py": st.Page("pages/relief.py", title="救助支出", url_path="relief"),
    "employment.py": st.Page("pages/employment.py", title="就业帮扶", url_path="employment"),
    "dividends.py": st.Page("pages/dividends.py", title="集体经济分红", url_path="dividends"),
    "social_security.py": st.Page("pages/social_security.py", title="社会保障衔接", url_path="social-security"),
    "social_forces.py": st.Page("pages/social_forces.py", title="社会力量", url_path="social-forces"),
    "town.py": st.Page("pages/town.py", title="区镇画像", url_path="town"),
    "briefing.py": st.Page("pages/briefing.py", title="会议材料", url_path="briefing"),
    "policy.py": st.Page("pages/policy.py", title="政策测算", url_path="policy"),
    "supervision.py": st.Page("pages/supervision.py", title="督办事项", url_path="supervision"),
    "signoff.py": st.Page("pages/signoff.py", title="数据确认", url_path="signoff"),
    "definitions.py": st.Page("pages/definitions.py", title="指标说明", url_path="definitions"),
    "account.py": st.Page("pages/account.py", title="修改密码", url_path="account"),
    "import_data.py": st.Page("pages/import_data.py", title="数据导入", url_path="import"),
    "goals.py": st.Page("pages/goals.py", title="目标管理", url_path="goals"),
    "standards.py": st.Page("pages/standards.py", title="标准管理", url_path="standards"),
    "admin_accounts.py": st.Page("pages/admin_accounts.py", title="账号管理", url_path="accounts"),
    "admin_audit.py": st.Page("pages/admin_audit.py", title="审计日志", url_path="audit"),
}


def _home() -> None:
    # Streamlit serves its default page at "/" only; /overview must work for briefing links,
    # so the root is a hidden page that opens the overview.
    st.switch_page(PAGES["overview.py"], query_params=st.query_params.to_dict())


HOME = st.Page(_home, title="首页", url_path="home", default=True, visibility="hidden")
ADMIN_PAGES = ("import_data.py", "goals.py", "standards.py", "admin_accounts.py", "admin_audit.py")


def main() -> None:
    started = time.time()
    url = store.engine_url()
    try:
        principal = auth.current_principal(url)
    except SQLAlchemyError as exc:
        show_store_error(exc, url)
        st.stop()
    sections = {
        "驾驶舱": [HOME, PAGES["overview.py"], PAGES["town.py"]],
        "专题": [
            PAGES[p]
            for p in (
                "caseload.py",
                "relief.py",
                "employment.py",
                "dividends.py",
                "social_security.py",
                "social_forces.py",
            )
        ],
        "汇报": [PAGES[p] for p in ("briefing.py", "policy.py", "supervision.py", "signoff.py")],
        "说明": [PAGES["definitions.py"], PAGES["account.py"]],
    }
    # Before sign-in every page is registered (the menu is hidden), so an admin's link to
    # /import survives the sign-in form; afterwards only admins get them. The admin pages
    # also check the role themselves.
    if principal is None or principal.is_admin:
        sections["管理"] = [PAGES[p] for p in ADMIN_PAGES]
    # Navigation first, even before sign-in, so the link's page and parameters survive it.
    # Pages in the top bar, so the sidebar holds the period and scope, visible without scrolling.
    navigation = st.navigation(sections, position="top" if principal else "hidden")
    if principal is None:
        try:
            principal = auth.require_principal(url)
        except SQLAlchemyError as exc:
            show_store_error(exc, url)
            st.stop()
    requested = st.query_params.get(ROUTE_PARAM)
    if requested:
        del st.query_params[ROUTE_PARAM]
        allowed = [page for pages in sections.values() for page in pages]
        if requested in PAGES and PAGES[requested] in allowed and PAGES[requested] is not navigation:
            st.switch_page(PAGES[requested], query_params=st.query_params.to_dict())
    st.sidebar.markdown("### 昆山市相对贫困长效机制\n领导驾驶舱")
    try:
        version = store.data_version(url)
        towns_rows = store.towns(url, version)
        feeds = store.feeds(url, version)
        settings = store.settings_raw(url, version)
    except SQLAlchemyError as exc:
        show_store_error(exc, url)
        st.stop()
    if not towns_rows or not feeds:
        st.info(
            "数据库中还没有数据：请系统管理员通过“数据导入”载入各部门数据（部署与初始化步骤见系统说明文档）。",
            icon=":material/info:",
        )
        st.stop()

    auth.sidebar(url, principal)
    towns = principal.visible_towns([str(t["code"]) for t in towns_rows])
    if not towns:
        st.error("当前账号没有可查看的区镇，请联系管理员。")
        st.stop()
    town_names = {str(t["code"]): str(t["name"]) for t in towns_rows}
    data_date = max(f["data_date"] for f in feeds)
    filters = sidebar_filters(
        towns=towns,
        town_names=town_names,
        data_date=data_date,
        villages_of=lambda town: store.village_names(url, version, town),
    )
    is_demo = settings.get("dataset") == "demo"
    if is_demo:
        st.warning(
            "**演示数据**：当前载入的是系统生成的演示数据，并非真实统计数据，不得用于正式汇报。",
            icon=":material/science:",
        )
    if st.session_state.get("_must_change") and navigation is not PAGES["account.py"]:
        st.switch_page(PAGES["account.py"])  # a temporary password is changed before anything else
    publish(PageContext(url=url, version=version, filters=filters, is_demo=is_demo, principal=principal))
    try:
        navigation.run()
    except SQLAlchemyError as exc:
        show_store_error(exc, url)
    runtime.settle_once()  # after the first page, when its imports are done
    runtime.log_run(started)


main()
