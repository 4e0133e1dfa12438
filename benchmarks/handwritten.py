"""A hand-written, plain-Python decision for the benchmark's reference household (Wmo only).

The lower bound the engine is compared with: the same Wmo decisions (outcome, eigen
bijdrage, ingangsdatum, termijnen) for the reference household, written directly as
Python with the 2026-04-01 parameter values inlined. It covers only the conditions the
reference household can reach; it is a benchmark fixture, not part of the engine.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

REFERENCE_CASE: dict[str, Any] = {
    "casus": "bench",
    "peildatum": "2026-06-01",
    "huishouden": {
        "leden": [
            {"id": "p1", "geboortedatum": "1958-02-03", "rol": "aanvrager"},
            {"id": "p2", "geboortedatum": "1960-07-09", "rol": "partner"},
            {"id": "k1", "geboortedatum": "2008-09-30", "rol": "kind"},
            {"id": "k2", "geboortedatum": "2012-01-15", "rol": "kind"},
        ],
        "feiten": {"inkomen_pct_sociaal_minimum": 125},
    },
    "aanvragen": [
        {
            "id": "a1",
            "persoon": "p1",
            "voorziening": "huishoudelijke_ondersteuning",
            "feiten": {
                "beperking_vastgesteld": True,
                "meldingsdatum": "2026-05-01",
                "aanvraagdatum": "2026-05-20",
            },
        },
        {
            "id": "a2",
            "persoon": "k1",
            "voorziening": "begeleiding_individueel",
            "feiten": {
                "beperking_vastgesteld": True,
                "mantelzorg_volstaat": True,
                "mantelzorger_kan_en_wil": True,
                "draagkracht_draaglast_netwerk": "in_balans",
                "meldingsdatum": "2026-05-01",
                "aanvraagdatum": "2026-05-20",
            },
        },
        {"id": "a3", "persoon": "p2", "voorziening": "wasservice"},
    ],
}

AOW_MONTHS = 804  # param.aow_leeftijd_maanden (2026)
MINIMA_PCT = 110
ABONNEMENT = 2180  # cents per month
WASSERVICE = (1250, 975)  # tarief, kostprijs in cents


def _months(born: dt.date, day: dt.date) -> int:
    months = (day.year - born.year) * 12 + day.month - born.month
    return months - 1 if day.day < born.day else months


def _plus_years(d: dt.date, years: int) -> dt.date:
    year = d.year + years
    return dt.date(year, d.month, min(d.day, calendar.monthrange(year, d.month)[1]))


def decide_reference(case: dict[str, Any]) -> dict[str, tuple[Any, ...]]:
    peildatum = dt.date.fromisoformat(case["peildatum"])
    members = {m["id"]: m for m in case["huishouden"]["leden"]}
    partner = next((m for m in members.values() if m["rol"] == "partner"), None)
    minima = case["huishouden"]["feiten"].get("inkomen_pct_sociaal_minimum", 200) <= MINIMA_PCT
    out: dict[str, tuple[Any, ...]] = {}
    for request in case["aanvragen"]:
        f = request.get("feiten", {})
        born = dt.date.fromisoformat(members[request["persoon"]]["geboortedatum"])
        months = _months(born, peildatum)
        if request["voorziening"] == "wasservice":
            bedrag = 0 if minima else min(WASSERVICE)
            out[request["id"]] = (
                "toegekend",
                {"bedrag": f"{bedrag // 100}.{bedrag % 100:02d}", "per": "keer"},
                None,
                {},
            )
            continue
        termijnen = {
            "beslissing_uiterlijk": (
                dt.date.fromisoformat(f["aanvraagdatum"]) + dt.timedelta(weeks=2)
            ).isoformat(),
            "onderzoek_uiterlijk": (
                dt.date.fromisoformat(f["meldingsdatum"]) + dt.timedelta(weeks=6)
            ).isoformat(),
        }
        # (no member of the reference household is younger than 17,5: no Jeugdwet referral)
        refused = (
            not f.get("beperking_vastgesteld")
            or (
                f.get("mantelzorg_volstaat")
                and f.get("mantelzorger_kan_en_wil")
                and f.get("draagkracht_draaglast_netwerk") == "in_balans"
            )
            or f.get("eigen_kracht_volstaat")
            or f.get("gebruikelijke_hulp_volstaat")
        )
        if refused:
            out[request["id"]] = ("afgewezen", None, None, termijnen)
            continue
        start = max(peildatum, _plus_years(born, 18))
        partner_young = partner is not None and (
            months < AOW_MONTHS
            or _months(dt.date.fromisoformat(partner["geboortedatum"]), peildatum) < AOW_MONTHS
        )
        bedrag = 0 if (partner_young or minima or _months(born, start) < 18 * 12) else ABONNEMENT
        out[request["id"]] = (
            "toegekend",
            {"bedrag": f"{bedrag // 100}.{bedrag % 100:02d}", "per": "maand"},
            start.isoformat(),
            termijnen,
        )
    return out
