"""RQ entry points. Jobs receive ids and primitives, load rows themselves, and commit once.

``job_context`` gives each job an application context: the one ``flask worker`` pushes for the
job, or, under a plain ``rq worker``, one from an app the factory builds on first use (never at
import time).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from flask import Flask, has_app_context

_app: Flask | None = None


@contextlib.contextmanager
def job_context() -> Iterator[None]:
    """Run a job body inside an app context with a session that is removed afterwards."""
    from recall.extensions import db

    if has_app_context():
        try:
            yield
        finally:
            db.session.remove()
        return
    global _app
    if _app is None:
        from recall import create_app

        _app = create_app()
    with _app.app_context():
        yield
