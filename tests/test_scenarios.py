"""Every scenario in scenarios/ decides as its file says (outcome, referral, contribution,
ingangsdatum and decisive articles), and the CLI runner agrees."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from verordening_engine.cli import main
from verordening_engine.scenarios.runner import run_scenario, scenario_files

from .conftest import REGELS, SCENARIOS

FILES = scenario_files(SCENARIOS)


@pytest.mark.parametrize("file", FILES, ids=[f.stem for f in FILES])
def test_scenario(file: Path) -> None:
    result = run_scenario(file, REGELS)
    assert result.error is None, result.error
    assert result.differences == []


def test_runner_reports_a_wrong_expectation(tmp_path: Path) -> None:
    source = next(f for f in FILES if "uitkomst: toegekend" in f.read_text("utf-8"))
    broken = tmp_path / source.name
    broken.write_text(
        source.read_text("utf-8").replace("uitkomst: toegekend", "uitkomst: afgewezen", 1), "utf-8"
    )
    result = CliRunner().invoke(main, ["--regels", str(REGELS), "scenarios", str(tmp_path)])
    assert result.exit_code == 1
    assert "expected 'afgewezen', got 'toegekend'" in result.output
    assert "0 passed, 1 failed" in result.output


def test_cli_runs_all_scenarios() -> None:
    result = CliRunner().invoke(main, ["--regels", str(REGELS), "scenarios", str(SCENARIOS)])
    assert result.exit_code == 0, result.output
    assert f"{len(FILES)} passed, 0 failed" in result.output


def test_every_deciding_article_is_covered() -> None:
    """All of 2026-04-01; of any other version, at least the articles that differ from 2026."""
    from verordening_engine.api import load_regelset
    from verordening_engine.scenarios.coverage import article_coverage
    from verordening_engine.scenarios.runner import run_scenarios
    from verordening_engine.versies.diff import diff

    results = run_scenarios(SCENARIOS, REGELS)
    base = load_regelset(REGELS, versie="2026-04-01").compiled
    for versie in sorted({r.versie for r in results if r.versie}):
        rs = load_regelset(REGELS, versie=versie).compiled
        rows = article_coverage(rs, results)
        if versie != base.meta.versie:
            changed = {a.artikel for a in diff(base, rs).artikelen if a.soort != "verwijderd"}
            rows = [r for r in rows if r.artikel in changed and r.kan_beslissen]
            assert rows, f"versie {versie}: no changed deciding article to cover"
        missing = [c.artikel for c in rows if not c.gedekt]
        assert missing == [], f"versie {versie}: articles never decisive in a scenario: {missing}"
