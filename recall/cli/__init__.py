"""``flask`` commands. Each area has its own module with one click group; all call services."""

from __future__ import annotations

from flask import Flask


def register_cli(app: Flask) -> None:
    from recall.cli.core import demo_cli, deputies_cli, districts_cli, seed_command, users_cli

    for group in (seed_command, deputies_cli, districts_cli, demo_cli, users_cli):
        app.cli.add_command(group)
    from recall.cli.promises import promises_cli

    app.cli.add_command(promises_cli)
    from recall.cli.commission import audit_cli, privacy_cli, verification_cli, voters_cli

    for group in (voters_cli, audit_cli, privacy_cli, verification_cli):
        app.cli.add_command(group)
    from recall.cli.notifications import register as register_notifications

    register_notifications(app)
