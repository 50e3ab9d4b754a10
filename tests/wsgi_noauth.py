"""A WSGI entry for tests/test_jobs.py: the app on $CCHC_DB as the local operator (--no-auth, loopback only)."""
import os

from dashboard.app import create_app

server = create_app(os.environ["CCHC_DB"], no_auth=True).server
