"""Long commands show rows, rate and time left on a terminal and stay quiet in scripts; the
upload page and its JSON show the same progress."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa
from babel.dates import format_date

from recall.extensions import db
from recall.models.verification import VoterRollImport
from recall.services.signing import counting
from recall.services.verification import voter_roll
from tests import factories
from tests.conftest import pg_url

ROOT = Path(__file__).resolve().parents[2]


def _roll(tmp_path, n: int = 3000) -> Path:
    rows = [
        factories.roll_entry(full_name=f"Voter {i}", district_number=1 + i % 2) for i in range(n)
    ]
    return factories.write_roll(tmp_path / "roll.csv", rows)


def _flask_env(pg_database: str) -> dict:
    env = dict(os.environ)
    env.update(
        RECALL_ENV="test",
        SECRET_KEY="test-secret-key",
        IIN_HASH_KEY="test-iin-hash-key",
        DATABASE_URL=pg_url(pg_database),
        PYTHONPATH=str(ROOT),
        REDIS_URL="",
        TERM="dumb",
    )
    return env


def _import_args(path: Path, slug: str, as_of: str) -> list[str]:
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    return [*flask, "voters", "import", str(path), "--body", slug, "--as-of", as_of]


def _on_a_terminal(args: list[str], env: dict) -> tuple[int, str]:
    """Run ``args`` with standard output and error on a pseudo-terminal; what it printed."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=follower, stderr=follower)
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    return proc.wait(timeout=120), b"".join(chunks).decode("utf-8", "replace")


def test_voters_import_shows_progress_on_a_terminal_only(world, pg_database, tmp_path):
    path = _roll(tmp_path)
    env = _flask_env(pg_database)
    code, screen = _on_a_terminal(_import_args(path, world.body.slug, "2026-02-01"), env)
    assert code == 0, screen
    assert "Loading voter roll: 3,000 rows" in screen and "rows/s" in screen and "100%" in screen
    assert "\r" in screen  # one line rewritten in place
    assert "3000" in screen.rsplit("\n", 2)[-2]  # the summary (in the default language) last

    piped = subprocess.run(
        _import_args(path, world.body.slug, "2026-03-01"),
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert piped.returncode == 0, piped.stderr
    # The roll's date as the command's language writes it (the default language), not 2026-03-01.
    assert "3000" in piped.stdout and "2026-03-01" not in piped.stdout
    assert any(
        format_date(date(2026, 3, 1), "medium", locale=lang) in piped.stdout
        for lang in ("ru", "en")
    )
    assert "\r" not in piped.stdout + piped.stderr
    assert "rows/s" not in piped.stderr and "Loading" not in piped.stderr


def test_check_and_export_show_their_progress_when_asked(world, runner, tmp_path):
    path = _roll(tmp_path, 50)
    voter_roll.import_file(None, world.body.id, date(2026, 2, 1), str(path))
    factories.signature(world.petition)
    counting.recount(world.petition.id)
    db.session.commit()
    quiet = runner.invoke(args=["verification", "check", str(world.petition.id)])
    assert quiet.exit_code == 0, quiet.output
    assert "classifying" not in quiet.output
    shown = runner.invoke(args=["verification", "check", str(world.petition.id), "--progress"])
    assert shown.exit_code == 0, shown.output
    assert "classifying every signature" in shown.output and "1 signatures" in shown.output
    args = ["verification", "export", str(world.petition.id), "--progress", "-o", "/dev/null"]
    exported = runner.invoke(args=args)
    assert exported.exit_code == 0, exported.output
    assert "Exporting petition" in exported.output and "100%" in exported.output


def test_the_upload_page_and_its_json_show_rows_rate_and_time_left(world, client, login, tmp_path):
    path = _roll(tmp_path, 200)
    imp = voter_roll.create_import(
        None, world.body.id, date(2026, 2, 1), "roll.csv", bytes_total=path.stat().st_size
    )
    imp.created_at -= timedelta(seconds=100)  # started 100 s ago
    imp.bytes_read, imp.rows_loaded = imp.bytes_total // 4, 5000  # a quarter read
    db.session.commit()
    login(world.commissioner)
    page = client.get(f"/commission/roll/{imp.id}").get_data(as_text=True)
    assert "5,000 rows read" in page and "rows/s" in page and " left" in page
    body = client.get(f"/api/v1/commission/roll-imports/{imp.id}").get_json()
    assert 40 < body["rows_per_second"] <= 50
    assert 290 < body["seconds_left"] < 330  # three quarters still to read at the pace so far
    done = db.session.scalars(sa.select(VoterRollImport)).one()
    assert done.id == imp.id
