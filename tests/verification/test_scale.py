"""National scale: the benchmark data generator, and the query plans of the heavy verification queries."""

from __future__ import annotations

import importlib.util
import sys
from datetime import date
from pathlib import Path

import pytest

from recall.extensions import db
from recall.rules.iin import parse_iin
from recall.services.verification import checks as verification
from recall.services.verification import voter_roll

ROOT = Path(__file__).resolve().parents[2]


def _generate():
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "benchmarks/generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_generator_is_reproducible_and_valid():
    gen = _generate()
    a = gen.Country(seed=5, voters=3000, minors=0.05)
    b = gen.Country(seed=5, voters=3000, minors=0.05)
    c = gen.Country(seed=6, voters=3000)
    voters = [a.voter(i) for i in range(3000)]
    assert voters == [b.voter(i) for i in range(3000)]
    assert [v.iin for v in voters] != [c.voter(i).iin for i in range(3000)]
    assert len({v.iin for v in voters}) == 3000
    for v in voters:
        assert parse_iin(v.iin).birth_date == v.birth_date
    assert 50 < sum(v.minor for v in voters) < 250
    assert 900 < sum(v.district_number == 1 for v in voters) < 1500  # home share 0.4


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_generated_signatures_get_the_intended_verdicts(backend, request, tmp_path):
    """Roll CSV through the importer, signatures straight into the database, then the checks."""
    request.getfixturevalue("app" if backend == "postgresql" else "sqlite_app")
    gen = _generate()
    country = gen.Country(seed=11, voters=1500, minors=0.03)
    roll = tmp_path / "roll.csv"
    assert country.write_roll(roll, invalid_rows=3) == 1503
    world = country.create_world()
    db.session.commit()
    result = voter_roll.import_file(
        None, world.body_id, date(2026, 2, 1), str(roll), skip_invalid=True
    )
    assert result.accepted and (result.rows_loaded, result.error_count) == (1500, 3)
    expected = country.load_signatures(world, 400, gen.Mix())
    db.session.commit()
    run = verification.run_checks(None, world.petition_id)
    db.session.commit()
    review_reasons = {"name_mismatch"}
    assert run.by_reason == {k: n for k, n in expected.items() if k != "valid" and n}
    assert run.by_status == {
        "valid": expected["valid"],
        "review": sum(n for k, n in expected.items() if k in review_reasons),
        "invalid": sum(n for k, n in expected.items() if k not in review_reasons | {"valid"}),
    }
    assert expected["duplicate"] == 12 and expected["under_age"] == 4
