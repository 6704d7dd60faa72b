"""Streamlit building blocks shared by the pages: filters, cached data, cards, charts."""
