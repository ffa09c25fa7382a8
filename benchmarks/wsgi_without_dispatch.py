"""Diagnostic only (BENCH_WITHOUT_DISPATCH=1): the app with the outbox's after-commit dispatch
switched off, to measure how much of a signing request it takes. Never serve this."""

from recall import create_app
from recall.notifications import dispatch as _dispatch

_dispatch.dispatch = lambda event_ids, delivery_ids: None

app = create_app()
