"""The pure domain, the bottom floor: the plan's rules (低保标准, groups, 五.2), reporting
periods, the open thresholds (settings) and attainment. No database, no Streamlit: every
other layer may import it; it imports nothing of the project but itself."""
