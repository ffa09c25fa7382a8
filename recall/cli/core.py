"""Commands for the foundation: importing deputies, demo data and accounts."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from recall.cli.common import transaction
from recall.demo import accounts as demo_accounts
from recall.demo import loader as demo
from recall.models import MandateType, Role
from recall.services.accounts import users
from recall.services.deputies import body_kinds, boundaries, deputy_import, localities


@click.command("seed")
@with_appcontext
def seed_command() -> None:
    """Insert missing reference data (rule presets, topics, reason codes, notification rules).

    Idempotent; run it after every `flask db upgrade`.
    """
    from recall.services.reference_data import ensure_reference_data

    with transaction():
        result = ensure_reference_data()
    click.echo(result.summary())


@click.group("deputies", help="Bodies, districts, parties and deputies.")
def deputies_cli() -> None:
    pass


@deputies_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--body-slug", help="Slug of the body a Popolo file's one legislature is.")
@click.option("--kind", help="Body kind code for legislatures the file gives none (e.g. mazhilis).")
@click.option("--period", help="Id of the legislative period to import (default: the latest).")
@click.option(
    "--mandate",
    type=click.Choice([m.value for m in MandateType]),
    help="How the seats are held (default: single_mandate with an area, else party_list).",
)
@with_appcontext
def import_command(
    file: str, body_slug: str | None, kind: str | None, period: str | None, mandate: str | None
) -> None:
    """Import FILE (.csv or Popolo .json). Nothing is written if any row is bad; a Popolo file
    ends the term of its bodies' serving deputies it no longer lists."""
    options = deputy_import.PopoloOptions(
        body_slug=body_slug,
        kind=kind,
        period=period,
        mandate=MandateType(mandate) if mandate else None,
    )
    with transaction():
        result = deputy_import.import_deputies(file, options)
    click.echo(
        result.summary()
        if result.changed
        else "Nothing changed: the database already matches the file."
    )


@deputies_cli.command("add-kind")
@click.argument("code")
@click.option("--name", "names", multiple=True, required=True, help="LANG=NAME, e.g. en=House.")
@click.option(
    "--jurisdiction", required=True, help="A jurisdiction the app knows, e.g. Taiwan (see kinds)."
)
@click.option(
    "--new-jurisdiction",
    is_flag=True,
    help="The jurisdiction is new: no recall rule, kind or body names it yet.",
)
@click.option("--list-seats-percent", type=int, help="Share of seats elected by party list.")
@click.option("--list-recallable", is_flag=True, help="Voters may recall list deputies.")
@click.option("--rule", "default_rule_key", help="Default recall rule key (a preset or a copy).")
@with_appcontext
def add_kind_command(
    code: str,
    names: tuple[str, ...],
    jurisdiction: str,
    new_jurisdiction: bool,
    list_seats_percent: int | None,
    list_recallable: bool,
    default_rule_key: str | None,
) -> None:
    """Add the body kind CODE, for bodies of another country or level.

    --jurisdiction must be one the app knows (a preset's, or one a rule copy, a kind or a body
    names: `flask deputies kinds` lists them); a new one needs --new-jurisdiction, so a typo is
    refused rather than leaving the kind's bodies without a rule.
    """
    pairs = dict(n.split("=", 1) for n in names if "=" in n)
    if len(pairs) != len(names):
        raise click.BadParameter("give each name as LANG=NAME", param_hint="--name")
    with transaction():
        kind = body_kinds.add_kind(
            code,
            pairs,
            jurisdiction,
            list_seats_percent,
            list_recallable,
            default_rule_key,
            new_jurisdiction=new_jurisdiction,
        )
    click.echo(f"Added body kind {kind.code} ({kind.jurisdiction}).")


@deputies_cli.command("kinds")
@with_appcontext
def kinds_command() -> None:
    """List the body kinds, then the jurisdictions the app knows."""
    for kind in body_kinds.list_kinds():
        share = "-" if kind.list_seats_percent is None else f"{kind.list_seats_percent}%"
        rule = kind.default_rule_key or "(the jurisdiction's)"
        click.echo(
            f"{kind.code:<24} {kind.name_in('en'):<28} {kind.jurisdiction:<20} {share:>5} {rule}"
        )
    click.echo("Jurisdictions: " + ", ".join(body_kinds.known_jurisdictions()))


@click.group("districts", help="Districts: their boundaries and localities.")
def districts_cli() -> None:
    pass


@districts_cli.command("import-boundaries")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def import_boundaries_command(file: str) -> None:
    """Import district outlines from FILE (GeoJSON). Nothing is written if any feature is bad."""
    with transaction():
        result = boundaries.import_boundaries_file(file)
    click.echo(f"Boundaries of {result.updated} district(s) imported.")


@districts_cli.command("import-localities")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def import_localities_command(file: str) -> None:
    """Import the localities table from FILE (CSV: locality, street, district_code, body,
    locality_kk/ru/en). Replaces the localities of the bodies it names; nothing is written if any
    row is bad."""
    with transaction():
        result = localities.import_localities_file(file)
    click.echo(
        f"{result.created} localities imported for {result.bodies} body(ies); "
        f"{result.replaced} earlier ones replaced."
    )


@click.group("demo", help="Demo data.")
def demo_cli() -> None:
    pass


@demo_cli.command("load")
@click.option(
    "--if-empty", is_flag=True, help="Do nothing (and succeed) when the database has data."
)
@with_appcontext
def demo_load(if_empty: bool) -> None:
    """Fill an empty database with demo data and print the demo accounts' passwords.

    The demo's e-mails go to the mail folder only (or the mail server, when one is set).
    """
    if if_empty and not demo.database_is_empty():
        click.echo("The database has data already; demo data not loaded.")
        return
    with demo_accounts.quiet_mail(), transaction():
        result = demo.load_demo()
    click.echo(f"Demo data loaded: {demo_accounts.summary()}.")
    sent, waiting = demo_accounts.mail_counts()
    if sent:
        where = current_app.config["MAIL_SERVER"] or current_app.config["MAIL_FOLDER"]
        click.echo(f"{sent:,} e-mails sent to {where}")
    if waiting:
        click.echo(f"{waiting:,} e-mails queued for the worker (flask worker)")
    click.echo("Demo accounts (passwords are shown only now; `flask demo accounts` sets new ones):")
    accounts = demo_accounts.with_labels(dict(result.accounts.values()))
    click.echo("\n".join(demo_accounts.account_lines(accounts)))


@demo_cli.command("accounts")
@with_appcontext
def demo_accounts_command() -> None:
    """Print the demo accounts again, with new passwords (the old ones stop working)."""
    with transaction():
        accounts = demo_accounts.renew_passwords()
    if not accounts:
        raise click.ClickException("No demo accounts: load the demo first (flask demo load).")
    click.echo("Demo accounts (new passwords; the previous ones no longer work):")
    click.echo("\n".join(demo_accounts.account_lines(accounts)))


@click.group("users", help="Accounts and roles.")
def users_cli() -> None:
    pass


@users_cli.command("create")
@click.option("--email", prompt=True)
@click.option("--name", "display_name", prompt="Display name")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--admin", is_flag=True, help="Also grant the admin role.")
@with_appcontext
def users_create(email: str, display_name: str, password: str, admin: bool) -> None:
    """Create an account (and make it an administrator with --admin)."""
    with transaction():
        user = users.create_account(None, email, password, display_name, admin=admin)
    click.echo(f"Created {user.email}" + (" (admin)" if admin else ""))


@users_cli.command("grant")
@click.argument("email")
@click.argument("role", type=click.Choice([r.value for r in Role]))
@click.option("--organization", help="The civic organization of a monitor (created if new).")
@click.option("--body", help="The body (slug or id) whose commission a commissioner belongs to.")
@click.option("--deputy", help="The id of the deputy record a deputy account speaks for.")
@with_appcontext
def users_grant(
    email: str, role: str, organization: str | None, body: str | None, deputy: str | None
) -> None:
    """Grant ROLE to the account EMAIL."""
    with transaction():
        user = users.grant_role(
            None, email, role, organization=organization, body=body, deputy=deputy
        )
    click.echo(f"{user.email}: {', '.join(sorted(r.value for r in user.roles))}")


@users_cli.command("revoke")
@click.argument("email")
@click.argument("role", type=click.Choice([r.value for r in Role if r != Role.CITIZEN]))
@with_appcontext
def users_revoke(email: str, role: str) -> None:
    """Take ROLE away from the account EMAIL."""
    with transaction():
        user = users.revoke_role(None, email, role)
    click.echo(f"{user.email}: {', '.join(sorted(r.value for r in user.roles))}")
