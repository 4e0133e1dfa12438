"""Proof that a regression run sees a change: one-change drafts and whether `regress` notices.

For each parameter (its value on the peildatum one step up and one step down) and for each
ordering comparison in a condition or a derived fact (`<` ↔ `<=`, `>` ↔ `>=`) a draft is
written that changes only that, as a policy officer would (`basis:` the original, only the
changed parameter or article). `regress` compares it with the original; the draft is
*detected* when some request's decision changed. The scenarios of the version are decided
under the draft too: a draft that changes a scenario's outcome but is not detected is a
failure of the regression run.
"""

from __future__ import annotations

import ast
import datetime as dt
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict

from ..api import Regelset, load_regelset_folder, read_case
from ..errors import EvaluationError, VerordeningError
from ..language.expressions import format_euro
from ..regels.compiled import EURO_UNITS, CompiledRegelset
from .regression import regress

_FLIPS = {ast.Lt: ("<", "<="), ast.LtE: ("<=", "<"), ast.Gt: (">", ">="), ast.GtE: (">=", ">")}


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Mutant(Out):
    id: str
    soort: str  # parameter, vergelijking
    wijziging: str
    bestand: str
    inhoud: dict[str, Any]


class MutantUitslag(Out):
    id: str
    soort: str
    wijziging: str
    gezien: bool
    aanvragen_gewijzigd: int
    scenarios_gewijzigd: list[str]

    @property
    def gemist(self) -> bool:
        """A change that a scenario shows but the regression run did not see."""
        return bool(self.scenarios_gewijzigd) and not self.gezien


class MutatieRapport(Out):
    versie: str
    peildatum: dt.date
    aantal: int
    seed: int
    uitslagen: list[MutantUitslag]

    @property
    def score(self) -> tuple[int, int]:
        return sum(u.gezien for u in self.uitslagen), len(self.uitslagen)

    @property
    def gemist(self) -> list[MutantUitslag]:
        return [u for u in self.uitslagen if u.gemist]


def _step(value: int, unit: str) -> int:
    """One step of a parameter: a tenth of its value, at least one unit (one cent)."""
    return max(1, abs(value) // 10)


def _shown(value: int, unit: str) -> str:
    return f"€ {format_euro(value)}" if unit in EURO_UNITS else str(value)


def parameter_mutants(rs: CompiledRegelset, peildatum: dt.date) -> Iterator[Mutant]:
    for file, model in rs.source.parameters:
        for name, param in sorted(model.parameters.items()):
            current = rs.param_at(name, peildatum)
            if current is None:
                continue
            unit = param.eenheid.value
            for direction, sign in (("omhoog", 1), ("omlaag", -1)):
                new = current.value + sign * _step(current.value, unit)
                if new < 0:
                    continue
                data = param.model_dump(mode="json", exclude_none=True)
                for entry in data["waarden"]:
                    if entry["vanaf"] == current.vanaf.isoformat():
                        entry["waarde"] = format_euro(new) if unit in EURO_UNITS else new
                yield Mutant(
                    id=f"{name}-{direction}",
                    soort="parameter",
                    wijziging=f"{name}: {_shown(current.value, unit)} → {_shown(new, unit)}",
                    bestand=file,
                    inhoud={"parameters": {name: data}},
                )


def _offsets(text: str) -> list[int]:
    starts = [0]
    for line in text.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    return starts


def _flips(text: str) -> Iterator[tuple[str, str, str]]:
    """Each ordering comparison in `text`, flipped: (new text, old op, new op)."""
    source = text.strip()
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError:
        return
    starts = _offsets(source)

    def at(line: int, col: int) -> int:
        return starts[line - 1] + col

    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare):
            continue
        operands = [node.left, *node.comparators]
        for i, op in enumerate(node.ops):
            flip = _FLIPS.get(type(op))
            if flip is None:
                continue
            left, right = operands[i], operands[i + 1]
            lo = at(left.end_lineno or 1, left.end_col_offset or 0)
            hi = at(right.lineno, right.col_offset)
            gap = source[lo:hi]
            where = gap.find(flip[0])
            if where < 0:
                continue
            new_gap = gap[:where] + flip[1] + gap[where + len(flip[0]) :]
            yield source[:lo] + new_gap + source[hi:], flip[0], flip[1]


def comparison_mutants(rs: CompiledRegelset) -> Iterator[Mutant]:
    for file, chapter in _chapters(rs):
        for artikel in chapter.artikelen:
            for r_index, regel in enumerate(artikel.regels):
                fields: list[tuple[str, str | None]] = [("als", regel.als)]
                fields += [(f"bepaal.{k}", v) for k, v in (regel.bepaal or {}).items()]
                for field, text in fields:
                    if not text:
                        continue
                    for n, (changed, old, new) in enumerate(_flips(text)):
                        art = artikel.model_dump(mode="json", exclude_none=True, by_alias=True)
                        rule = art["regels"][r_index]
                        if field == "als":
                            rule["als"] = changed
                        else:
                            rule["bepaal"][field.split(".", 1)[1]] = changed
                        yield Mutant(
                            id=f"{regel.id}-{field}-{n + 1}",
                            soort="vergelijking",
                            wijziging=(
                                f"artikel {artikel.nummer} ({regel.id}, {field}): "
                                f"'{old}' → '{new}' in '{' '.join(text.split())}'"
                            ),
                            bestand=file,
                            inhoud={
                                "nummer": chapter.nummer,
                                "titel": chapter.titel,
                                "artikelen": [art],
                            },
                        )


def _chapters(rs: CompiledRegelset) -> list[tuple[str, Any]]:
    names = rs.source.meta.bestanden.hoofdstukken
    return list(zip(names, rs.source.hoofdstukken, strict=True))


def write_draft(base: Path, mutant: Mutant, folder: Path) -> Path:
    """A draft with only the mutant's change, `basis:` the original folder."""
    folder.mkdir(parents=True, exist_ok=True)
    meta = {
        "basis": str(base.resolve()),
        "versie": f"mutant-{mutant.id}",
        "status": "concept",
        "titel": f"Proefwijziging: {mutant.wijziging}",
        "geldig_tot": None,
    }
    (folder / "regelset.yaml").write_text(
        yaml.safe_dump(meta, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    (folder / mutant.bestand).write_text(
        yaml.safe_dump(mutant.inhoud, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    return folder


def scenario_outcomes(regelset: Regelset, scenarios: list[Path]) -> dict[str, Any]:
    """Per scenario file of this version: each request's outcome, referral and contribution."""
    out: dict[str, Any] = {}
    for file in scenarios:
        try:
            casus, doc = read_case(file)
            document = regelset.evaluate_casus(casus, doc)
        except (VerordeningError, EvaluationError):
            continue
        out[file.name] = [
            (b.aanvraag, b.uitkomst, b.verwijzing, b.eigen_bijdrage, b.vaststellingen)
            for b in document.besluiten
        ]
    return out


def version_scenarios(regelset: Regelset, folder: Path) -> list[Path]:
    """The scenario files decided under this version (named or in force on their peildatum)."""
    meta = regelset.compiled.meta
    chosen = []
    for file in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]):
        try:
            casus, _ = read_case(file)
        except VerordeningError:
            continue
        if casus.versie == meta.versie or (
            casus.versie is None
            and meta.geldig_vanaf <= casus.peildatum
            and (meta.geldig_tot is None or casus.peildatum < meta.geldig_tot)
        ):
            chosen.append(file)
    return chosen


def mutatietoets(
    original: Regelset,
    *,
    aantal: int,
    seed_value: int = 0,
    peildatum: dt.date | None = None,
    scenarios: Path | None = None,
    only: Callable[[Mutant], bool] | None = None,
    progress: Callable[[MutantUitslag], None] | None = None,
    needs_scenario_change: bool = False,
    part: tuple[int, int] = (1, 1),
) -> MutatieRapport:
    """Every one-change draft of `original`, each compared with it by `regress`
    (with `needs_scenario_change`, only the drafts that change some scenario's outcome)."""
    rs = original.compiled
    day = peildatum or rs.meta.geldig_vanaf
    mutants = [*parameter_mutants(rs, day), *comparison_mutants(rs)]
    if only is not None:
        mutants = [m for m in mutants if only(m)]
    mutants = mutants[part[0] - 1 :: part[1]]  # one part of N, to spread over processes
    files = version_scenarios(original, scenarios) if scenarios else []
    before = scenario_outcomes(original, files)
    results = []
    with tempfile.TemporaryDirectory(prefix="mutatietoets-") as tmp:
        for i, mutant in enumerate(mutants):
            folder = write_draft(rs.source.folder, mutant, Path(tmp) / f"m{i:03d}")
            try:
                draft = load_regelset_folder(folder)
            except VerordeningError:
                continue  # a change the language rejects (e.g. a value out of range)
            after = scenario_outcomes(draft, files)
            changed = sorted(name for name in before if before[name] != after.get(name))
            if needs_scenario_change and not changed:
                continue
            report = regress(
                original,
                draft,
                aantal=aantal,
                seed_value=seed_value,
                peildatum=day,
                examples=False,
            )
            result = MutantUitslag(
                id=mutant.id,
                soort=mutant.soort,
                wijziging=mutant.wijziging,
                gezien=report.aanvragen_gewijzigd > 0,
                aanvragen_gewijzigd=report.aanvragen_gewijzigd,
                scenarios_gewijzigd=changed,
            )
            results.append(result)
            if progress:
                progress(result)
    return MutatieRapport(
        versie=original.versie, peildatum=day, aantal=aantal, seed=seed_value, uitslagen=results
    )


def report_markdown(r: MutatieRapport) -> str:
    seen, total = r.score
    out = [
        f"# Mutatietoets {r.versie}",
        "",
        f"{total} proefwijzigingen (elke parameter een stap omhoog en omlaag, elke vergelijking "
        f"`<` ↔ `<=`), elk vergeleken met het origineel op {r.aantal} gegenereerde huishoudens "
        f"(seed {r.seed}, peildatum {r.peildatum.isoformat()}).",
        "",
        f"**Gezien: {seen} van {total}**"
        + (f" ({100 * seen / total:.0f}%)" if total else "")
        + f"; gemist terwijl een scenario verandert: {len(r.gemist)}.",
        "",
        "| wijziging | gezien | aanvragen gewijzigd | scenario's gewijzigd |",
        "|---|---|---:|---:|",
    ]
    out += [
        f"| {u.wijziging} | {'ja' if u.gezien else '**nee**' if u.gemist else 'nee'} | "
        f"{u.aanvragen_gewijzigd} | {len(u.scenarios_gewijzigd)} |"
        for u in r.uitslagen
    ]
    return "\n".join(out) + "\n"
