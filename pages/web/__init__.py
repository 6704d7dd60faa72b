"""HTTP routes beside the Streamlit pages (served by asgi.py through st.App): the sign-in
form, and what other systems call without a browser."""

from pages.web import signin

ROUTES = [*signin.ROUTES]
