"""The web face of Hague: FastAPI app, API v1, pages (Jinja2 + htmx), vendored static files."""
