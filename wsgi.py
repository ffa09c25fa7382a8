"""WSGI entry point for gunicorn and `flask run`: builds the app, does nothing else."""

from recall import create_app

app = create_app()
