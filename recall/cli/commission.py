"""Commission commands: voter roll import, audit chain check, privacy purge, checks on demand.

These run as the server operator (no acting user): they are trusted the way the database is.
"""

from __future__ import annotations

import os
from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from recall.cli.common import transaction
from recall.cli.progress import TerminalProgress, progress_option
from recall.errors import DomainError
from recall.extensions import db
from recall.models import Body


def _body_id(value: str) -> int:
    """A body by id or slug."""
    stmt = sa.select(Body.id).where(Body.slug == value)
    if value.isdigit():
        stmt = sa.select(Body.id).where(sa.or_(Body.id == int(value), Body.slug == value))
    body_id = db.session.scalar(stmt)
    if body_id is None:
        raise click.BadParameter(f"no body with id or slug {value!r}", param_hint="--body")
    return body_id


@click.group("voters", help="The voter roll of a body.")
def voters_cli() -> None:
    pass


@voters_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--body", "body", required=True, help="Body id or slug.")
@click.option(
    "--as-of",
    "as_of",
    required=True,
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Date the roll is valid for (YYYY-MM-DD).",
)
@click.option(
    "--skip-invalid", is_flag=True, help="Load the good rows and write a report of the bad ones."
)
@click.option(
    "--partial",
    "mode",
    flag_value="partial",
    help="The file covers some districts: the others keep their rolls.",
)
@click.option(
    "--replace",
    "mode",
    flag_value="replace",
    help="The file is the whole roll: districts it lacks get 0 voters.",
)
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False),
    help="Where to write the skipped-rows report (default FILE.skipped-<id>.csv).",
)
@progress_option
@with_appcontext
def voters_import(
    file: str,
    body: str,
    as_of,
    skip_invalid: bool,
    mode: str | None,
    report_path: str | None,
    show_progress: bool | None,
) -> None:
    """Import FILE (CSV: iin, full_name, district_number, address) as the roll of --body.

    Instead of district_number a file may name each line's district by district_code (the
    district's code as its source names it, e.g. E14000530): one of the two for the whole file.

    An optional column removal_reason (deceased, moved, incapacitated, other; empty for a voter)
    lists people removed from the roll: kept hashed, not voters; the checks reject a signature
    with their IIN, as deceased for the deceased.

    Streams the file and loads it in chunks (COPY on PostgreSQL); the new roll takes effect in a
    single transaction and earlier rolls are kept (signatures are judged by the roll in force on
    their signing day). Malformed rows refuse the import unless --skip-invalid. Persons under 18
    on --as-of are left out and listed. A file that covers only some districts is refused with a
    preview per district unless --partial or --replace says what happens to the others.
    """
    from recall.services.verification import voter_roll

    body_id = _body_id(body)
    size = os.path.getsize(file) or 1
    bar = TerminalProgress("Loading voter roll", enabled=show_progress)
    seen = {"rows": 0, "bytes": 0}

    def on_bytes(n: int) -> None:
        seen["bytes"] += n
        bar.update(seen["rows"], fraction=seen["bytes"] / size)

    def on_chunk(imp) -> None:
        seen["rows"] = imp.rows_loaded + imp.rows_skipped

    try:
        result = voter_roll.import_file(
            None,
            body_id,
            as_of.date(),
            file,
            skip_invalid=skip_invalid,
            mode=mode or "",
            progress=on_bytes,
            checkpoint=db.session.commit,
            report_path=report_path,
            on_chunk=on_chunk,
        )
        db.session.commit()
        bar.update(result.roll_import.rows_read, fraction=1.0)
        bar.finish()
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from exc
    for error in result.errors[:50]:
        click.echo(f"  {error}", err=True)
    if result.error_count > 50:
        click.echo(f"  ... and {result.error_count - 50} more", err=True)
    for minor in result.minors[:50]:
        click.echo(f"  {minor}", err=True)
    if len(result.minors) > 50:
        click.echo(f"  ... and {len(result.minors) - 50} more under 18", err=True)
    if result.preview:
        click.echo("district  rows  voters before  voters after")
        for p in result.preview:
            after = "?" if p["after"] is None else p["after"]
            click.echo(f"{p['district']:>8}  {p['rows']:>4}  {p['before']:>13}  {after:>12}")
    if not result.accepted:
        raise click.ClickException(result.summary())
    click.echo(result.summary())


@click.group("audit", help="The commission's hash-chained audit log.")
def audit_cli() -> None:
    pass


@audit_cli.command("verify")
@click.option(
    "--heads",
    "heads_file",
    type=click.Path(exists=True, dir_okay=False),
    help="Heads saved outside the log (JSON or JSON lines of {seq, hash}) to check it against.",
)
@with_appcontext
def audit_verify(heads_file: str | None) -> None:
    """Recompute both hash chains (and check saved heads); exit 1 naming the first broken entry."""
    from recall.services import audit

    check = audit.verify_chain()
    if not check.problem and heads_file:
        try:
            heads = audit.parse_saved_heads(Path(heads_file).read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise click.ClickException(f"{heads_file}: {exc}") from exc
        saved = audit.check_saved_heads(heads)
        if saved.problem:
            check = saved
        else:
            click.echo(f"{len(heads)} saved head(s) match.")
    if check.problem:
        where = (
            f"entry {check.broken.seq} (id {check.broken.id})"
            if check.broken is not None
            else "chain head"
        )
        click.echo(f"BROKEN at {where}: {check.problem}", err=True)
        raise SystemExit(1)
    click.echo(f"OK: {check.entries} entries, head {check.head_hash}")


@audit_cli.command("key-existing")
@with_appcontext
def audit_key_existing() -> None:
    """Key the entries written before AUDIT_KEY existed (once, after checking the plain chain)."""
    from recall.services.audit import key_existing_entries

    try:
        with transaction():
            keyed = key_existing_entries()
    except RuntimeError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Keyed {keyed} entr{'y' if keyed == 1 else 'ies'}.")


@click.group("privacy", help="Personal data retention.")
def privacy_cli() -> None:
    pass


@privacy_cli.command("purge")
@click.option("--dry-run", is_flag=True, help="Only say what would be purged.")
@with_appcontext
def privacy_purge(dry_run: bool) -> None:
    """Purge signers' personal data PRIVACY_PURGE_DAYS after a petition's final state."""
    from recall.services.verification import privacy

    if dry_run:
        due = privacy.petitions_due()
        click.echo(f"{len(due)} petition(s) due: {', '.join(str(p) for p in due) or '-'}")
        return
    with transaction():
        result = privacy.purge_personal_data(None)
    click.echo(
        f"Purged {result.signatures} signature(s) in {len(result.petition_ids)} petition(s) "
        f"and {result.misuse_reports} misuse report(s)."
    )


@click.group("verification", help="Signature checks.")
def verification_cli() -> None:
    pass


@verification_cli.command("check")
@click.argument("petition_id", type=int)
@progress_option
@with_appcontext
def verification_check(petition_id: int, show_progress: bool | None) -> None:
    """Run the automatic checks of PETITION_ID against its body's active roll."""
    from recall.services.verification import checks

    bar = TerminalProgress(
        f"Checking petition {petition_id}", unit="signatures", enabled=show_progress
    )
    with transaction():
        result = checks.run_checks(None, petition_id, progress=bar.step)
    bar.update(result.checked, total=result.checked)
    bar.finish()
    click.echo(result.summary())


@verification_cli.command("reason-codes")
@with_appcontext
def verification_reason_codes() -> None:
    """Add missing reason codes (idempotent)."""
    from recall.services.verification.reason_codes import ensure_reason_codes

    with transaction():
        added = ensure_reason_codes()
    click.echo(f"{added} reason code(s) added.")


@verification_cli.command("export")
@click.argument("petition_id", type=int)
@click.option(
    "--output",
    "-o",
    type=click.File("w", encoding="utf-8"),
    default="-",
    help="CSV file to write (default: standard output).",
)
@progress_option
@with_appcontext
def verification_export(petition_id: int, output, show_progress: bool | None) -> None:
    """Write every signature of PETITION_ID as CSV: verdict, reason, channel, sheet, line, roll match.

    Streamed in constant memory. Holds personal data: the server operator's command.
    """
    from recall.services.verification import export

    try:
        total = export.signature_count(None, petition_id)
        chunks = export.export_csv(None, petition_id)
        bar = TerminalProgress(
            f"Exporting petition {petition_id}", unit="signatures", enabled=show_progress
        )
        lines = -1  # the header
        for chunk in chunks:
            output.write(chunk)
            lines += chunk.count("\n")
            bar.update(max(lines, 0), total=total)
        bar.finish()
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
