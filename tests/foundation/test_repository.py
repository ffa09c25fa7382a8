"""The repository tracks no virtualenv: a committed ``.venv`` (a worktree's symlink) replaces the
real one wherever the commit is checked out."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_no_virtualenv_is_tracked():
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    tracked = subprocess.run(
        ["git", "ls-files", "--", ".venv", "venv"], cwd=ROOT, capture_output=True, text=True
    ).stdout.split()
    assert tracked == [], "untrack it: git rm --cached .venv"
