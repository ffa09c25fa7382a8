"""Commands for notifications: the worker, the outbox and the periodic runner."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from recall.cli.common import transaction


@click.command("worker")
@click.option(
    "--queue",
    "queues",
    multiple=True,
    help="Queue to listen on (default: RQ_QUEUE_NAME). Repeatable.",
)
@click.option("--burst", is_flag=True, help="Quit when the queue is empty.")
@click.option(
    "--scheduler/--no-scheduler",
    default=True,
    show_default=True,
    help="Also run RQ's scheduler, which re-queues retries when their back-off has passed.",
)
@click.option("--max-jobs", type=int, default=None, help="Quit after this many jobs.")
@click.option(
    "--fork/--no-fork",
    default=False,
    show_default=True,
    help="Fork a work horse per job (RQ's default; much slower) instead of running jobs here.",
)
@with_appcontext
def worker_command(
    queues: tuple[str, ...], burst: bool, scheduler: bool, max_jobs: int | None, fork: bool
) -> None:
    """Run an RQ worker for notification jobs (needs REDIS_URL)."""
    from recall.jobs.worker import run_worker

    if not current_app.config.get("REDIS_URL"):
        raise click.ClickException(
            "REDIS_URL is not set; without Redis, notifications are delivered inline."
        )
    run_worker(
        current_app._get_current_object(),
        list(queues) or None,
        burst=burst,
        with_scheduler=scheduler,
        max_jobs=max_jobs,
        fork=fork,
    )


@click.group("outbox", help="The notification outbox.")
def outbox_cli() -> None:
    pass


@outbox_cli.command("redispatch")
@click.option(
    "--older-than",
    type=int,
    default=None,
    help="Only events older than this many seconds (default OUTBOX_REDISPATCH_AFTER).",
)
@with_appcontext
def redispatch_command(older_than: int | None) -> None:
    """Re-enqueue committed events never enqueued, and stale or abandoned deliveries."""
    from recall.notifications.dispatch import redispatch

    with transaction():
        result = redispatch(older_than=older_than)
    click.echo(
        f"Redispatched {len(result.events)} event(s) and {len(result.deliveries)} delivery(ies)."
    )


@outbox_cli.command("seed-rules")
@with_appcontext
def seed_rules_command() -> None:
    """Add the default notification rules that are missing (edited rules are left alone)."""
    from recall.notifications.rules import ensure_default_rules

    with transaction():
        added = ensure_default_rules()
    click.echo(f"Added {added} notification rule(s).")


@click.group("periodic", help="Scheduled work (closing petitions, redispatch, counters).")
def periodic_cli() -> None:
    pass


@periodic_cli.command("run-once")
@click.option("--task", "only", default=None, help="Run only this task.")
@click.option("--force", is_flag=True, help="Run even if the task ran less than its interval ago.")
@with_appcontext
def periodic_run_once(only: str | None, force: bool) -> None:
    """Run the periodic tasks that are due, once."""
    from recall.jobs.periodic import PERIODIC_TASKS, run_due

    if only and only not in {name for name, _interval, _path in PERIODIC_TASKS}:
        raise click.BadParameter(f"no periodic task named {only!r}", param_hint="--task")
    results = run_due(only=only, force=force)
    for name, result in results.items():
        click.echo(f"{name}: {result}")
    if "failed" in results.values():
        raise SystemExit(1)


@periodic_cli.command("loop")
@click.option(
    "--interval",
    type=click.IntRange(min=1),
    default=60,
    show_default=True,
    help="Seconds between passes.",
)
@with_appcontext
def periodic_loop(interval: int) -> None:
    """Run due periodic tasks every INTERVAL seconds, forever (safe on several machines with Redis)."""
    from recall.jobs.periodic import run_loop

    run_loop(interval)


COMMANDS = (worker_command, outbox_cli, periodic_cli)


def register(app) -> None:
    """Add the notification commands to ``flask``."""
    for command in COMMANDS:
        app.cli.add_command(command)
