"""HTTP routes beside the Streamlit pages (served by asgi.py through st.App): the sign-in
form, and what other systems call without a browser."""

from pages.web import api, health, signin

ROUTES = [*signin.ROUTES, *health.ROUTES, *api.ROUTES]
