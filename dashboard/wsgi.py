"""WSGI entry point for production servers: `gunicorn -c python:dashboard.gunicorn_conf dashboard.wsgi:server`
(the database path comes from CCHC_DB; every worker attaches it read-only and follows new snapshots)."""
from .app import create_app
from .config import db_path

app = create_app(db_path())
server = app.server
