"""pydantic models of the rule files in `regels/<gemeente>/<versie>/`.

These describe the shape of each file; the cross-file meaning (references, types of
expressions, priorities) is checked when compiling.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
    StringConstraints,
    model_validator,
)

from ..reading.spellings import IsoDate

Ident = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=80)]
RuleId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.-]*$", max_length=80)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=20_000)]
Expression = Annotated[str, StringConstraints(min_length=1, max_length=2_000)]


class Strict(BaseModel):
    # schemas are built when a file is first validated: a cold start that finds its version
    # compiled in the cache (regels/compiled_cache.py) never validates a rule file
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


Periode = Literal["maand", "jaar", "uur", "keer", "week", "vier_weken"]


class Status(StrEnum):
    vastgesteld = "vastgesteld"
    concept = "concept"


class Wet(Strict):
    """A national law the articles rest on, by its BWB id."""

    naam: Text
    bwb: Annotated[str, StringConstraints(pattern=r"^BWBR\d{7}$")]


class Document(Strict):
    """A policy document (seed) an article may rest on."""

    titel: Text
    bestand: Text | None = None
    datum: IsoDate | None = None


class Bestanden(Strict):
    """The files of a version; vocabulary, parameters and catalogue may be split per chapter."""

    begrippen: list[str] = Field(min_length=1)
    parameters: list[str] = Field(min_length=1)
    voorzieningen: list[str] = Field(min_length=1)
    hoofdstukken: list[str] = Field(min_length=1)
    invarianten: list[str] = Field(default_factory=list)
    eigenschappen: list[str] = Field(
        default_factory=list, description="files with metamorphic properties (eigenschappen)"
    )


class RegelsetMeta(Strict):
    """`regelset.yaml`: what this version is and which files make it up."""

    schema_: str | None = Field(default=None, alias="$schema")
    basis: str | None = Field(
        default=None,
        description=(
            "for a draft that states only its changes: the version (name or folder) it amends; "
            "the draft's files then hold only the articles, parameters, facts and "
            "voorzieningen it replaces or adds"
        ),
    )
    id: Ident
    titel: Text
    gemeente: Text
    versie: Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z][0-9A-Za-z._-]*$")]
    status: Status
    geldig_vanaf: IsoDate
    geldig_tot: IsoDate | None = None
    publicatie: str | None = Field(
        default=None, description="CVDR reference; null when not known (never invented)"
    )
    vorige_versie: str | None = None
    nummering_gemodelleerd: bool = Field(
        description="true when article numbers are modelled, not taken from the official text"
    )
    toelichting: str | None = None
    wetten: dict[Ident, Wet]
    documenten: dict[Ident, Document] = Field(default_factory=dict)
    bestanden: Bestanden


class FeitType(StrEnum):
    waarheid = "waarheid"
    getal = "getal"
    bedrag = "bedrag"
    datum = "datum"
    tekst = "tekst"


class Bereik(Strict):
    """Inclusive bounds of a getal (whole numbers) or bedrag (text with two decimals) fact."""

    min: StrictInt | StrictStr | None = None
    max: StrictInt | StrictStr | None = None


class Feit(Strict):
    """A fact of the vocabulary; `label` (and for a yes/no fact `waar`/`onwaar`) say it in
    words, so explanations and alternatives never show a name or an expression.

    Missing is not a value: a fact without `standaard` that a deciding rule needs and the
    case does not give leaves the request undecided (ontbrekende_gegevens). A `standaard`
    is allowed only with `standaard_reden`, the legal reason why a finding that was not made
    may be read as that value. The checks (`bereik`, `niet_voor`, `niet_na`, `alleen_als`)
    make impossible input an error when a case is bound.
    """

    label: Text | None = Field(
        default=None,
        description="short Dutch name, e.g. 'mantelzorg volstaat' (required; first key)",
    )
    waar: Text | None = Field(
        default=None,
        description="waarheid only: the clause when true, reading after 'dat'/'als', "
        "e.g. 'mantelzorg de beperking oplost'",
    )
    onwaar: Text | None = Field(
        default=None,
        description="waarheid only: the clause when false, e.g. 'mantelzorg de beperking niet "
        "oplost'",
    )
    type: FeitType
    omschrijving: Text
    eenheid: str | None = None
    waarden: list[str] | None = Field(default=None, description="for tekst: the allowed values")
    standaard: bool | int | str | dt.date | None = Field(
        default=None,
        description="value used when a case does not give this fact (needs standaard_reden)",
    )
    standaard_reden: Text | None = Field(
        default=None, description="the legal reason why a missing value may be read as standaard"
    )
    bereik: Bereik | None = Field(
        default=None, description="getal/bedrag: inclusive bounds, e.g. {min: 0} or {min: '0.00'}"
    )
    niet_voor: list[Expression] = Field(
        default_factory=list,
        description="datum: not before these dates (rule-language datum expressions)",
    )
    niet_na: list[Expression] = Field(
        default_factory=list,
        description="datum: not after these dates (rule-language datum expressions)",
    )
    alleen_als: Expression | None = Field(
        default=None,
        description="the case may give this fact only when this condition (waarheid) holds",
    )

    @model_validator(mode="after")
    def _default_has_reason(self) -> Feit:
        if self.standaard is not None and self.standaard_reden is None:
            raise ValueError(
                "a standaard needs standaard_reden: the legal reason why a finding that was "
                "not made may be read as this value (missing is not a value)"
            )
        if self.standaard is None and self.standaard_reden is not None:
            raise ValueError("standaard_reden without a standaard")
        return self

    @model_validator(mode="after")
    def _words(self) -> Feit:
        if self.label is None:
            raise ValueError(
                "this fact has no Dutch label: add 'label: <korte naam>' right after the fact's "
                "name (e.g. 'label: mantelzorg volstaat')"
                + (
                    ", and 'waar:' and 'onwaar:' with a clause for each value"
                    if self.type is FeitType.waarheid
                    else ""
                )
            )
        if self.type is FeitType.waarheid and (self.waar is None or self.onwaar is None):
            raise ValueError(
                "a waarheid fact needs 'waar:' and 'onwaar:' after its label: a clause for each "
                "value that reads after 'dat' (e.g. 'waar: mantelzorg de beperking oplost')"
            )
        if self.type is not FeitType.waarheid and (self.waar or self.onwaar):
            raise ValueError("'waar' and 'onwaar' are only for waarheid facts")
        return self


class Invoer(Strict):
    persoon: dict[Ident, Feit] = Field(default_factory=dict)
    huishouden: dict[Ident, Feit] = Field(default_factory=dict)
    aanvraag: dict[Ident, Feit] = Field(default_factory=dict)


class Controle(Strict):
    """A check on a case that has no single fact as its home (e.g. a partner's age).

    Evaluated per household member (`voor: persoon`), once (`huishouden`) or per request
    (`aanvraag`); `eis` must hold wherever `als` holds, or the case is impossible input.
    """

    id: RuleId
    voor: Literal["persoon", "huishouden", "aanvraag"]
    als: Expression | None = None
    eis: Expression
    veld: Ident = Field(description="the field of the case a problem is reported at")
    melding: Text


class Begrippen(Strict):
    """`begrippen.yaml`: the vocabulary; every fact a case gives or a rule derives."""

    schema_: str | None = Field(default=None, alias="$schema")
    invoer: Invoer
    afgeleid: dict[Ident, Feit] = Field(default_factory=dict)
    controles: list[Controle] = Field(default_factory=list)


class Eenheid(StrEnum):
    euro = "euro"
    euro_per_maand = "euro_per_maand"
    euro_per_jaar = "euro_per_jaar"
    euro_per_uur = "euro_per_uur"
    euro_per_keer = "euro_per_keer"
    euro_per_kilometer = "euro_per_kilometer"
    procent = "procent"
    jaren = "jaren"
    maanden = "maanden"
    weken = "weken"
    dagen = "dagen"
    werkdagen = "werkdagen"
    kilometer = "kilometer"
    aantal = "aantal"


class Verificatie(StrEnum):
    geverifieerd = "geverifieerd"
    ongeverifieerd = "ongeverifieerd"
    gepland = "gepland"


def _no_float(value: object) -> object:
    if isinstance(value, float):
        raise ValueError(
            "write an amount as text with two decimals, e.g. '21.80' (a bare decimal number "
            "would be read as a float); other units take a whole number"
        )
    return value


class ParameterWaarde(Strict):
    vanaf: IsoDate
    waarde: Annotated[StrictStr | StrictInt, BeforeValidator(_no_float)] = Field(
        description="money as a string with two decimals, e.g. '21.80'"
    )
    bron: Text
    status: Verificatie


class Parameter(Strict):
    omschrijving: Text
    eenheid: Eenheid
    waarden: list[ParameterWaarde] = Field(min_length=1)


class Parameters(Strict):
    """`parameters.yaml`: amounts, percentages, ages and terms, each with values by date."""

    schema_: str | None = Field(default=None, alias="$schema")
    parameters: dict[Ident, Parameter]


class Soort(StrEnum):
    maatwerk = "maatwerk"
    algemeen = "algemeen"
    individueel = "individueel"
    overig = "overig"
    inkomen = "inkomen"
    schuldhulp = "schuldhulp"


class Voorziening(Strict):
    id: Ident
    naam: Text
    wet: Ident
    soort: Soort
    kenmerken: list[Ident] = Field(default_factory=list)
    parameters: dict[Ident, Ident] = Field(
        default_factory=dict, description="attribute name -> parameter id, read as voorziening.x"
    )
    bijdrage_per: Periode | None = None
    omschrijving: str | None = None


class Voorzieningen(Strict):
    """`voorzieningen.yaml`: the catalogue of provisions a case may request."""

    schema_: str | None = Field(default=None, alias="$schema")
    voorzieningen: list[Voorziening] = Field(min_length=1)


class Grondslag(Strict):
    wet: Ident
    artikel: Annotated[str, StringConstraints(pattern=r"^[0-9][0-9a-z.:]*$")]
    lid: int | None = None
    onderdeel: str | None = None


class BronSoort(StrEnum):
    wet = "wet"
    document = "document"
    gemodelleerd = "gemodelleerd"


class Bron(Strict):
    soort: BronSoort
    document: Ident | None = None
    toelichting: str | None = None


class Selectie(Strict):
    """Which requested voorzieningen a rule is about; all given fields must match."""

    wet: Ident | None = None
    soort: Soort | None = None
    ids: list[Ident] | None = None
    kenmerk: Ident | None = None


class Uitkomst(StrEnum):
    toegekend = "toegekend"
    afgewezen = "afgewezen"
    niet_ontvankelijk = "niet_ontvankelijk"


class BesluitConclusie(Strict):
    uitkomst: Uitkomst
    verwijzing: Ident | None = Field(
        default=None, description="a voorziening id or a law key the resident is referred to"
    )
    verwijzing_naar: Expression | None = Field(
        default=None, description="expression (tekst) giving the referral target from the case"
    )


class BijdrageConclusie(Strict):
    bedrag: Expression
    per: Periode | None = Field(
        default=None, description="omit to use each voorziening's bijdrage_per"
    )


class Uitleg(Strict):
    wel: Text
    niet: Text | None = None


class Regel(Strict):
    """One rule: a condition and exactly one kind of conclusion."""

    id: RuleId
    voor: Selectie = Field(default_factory=Selectie)
    grondslag: list[Grondslag] = Field(
        default_factory=list,
        description="the lid and onderdeel this rule applies, when narrower than the article's",
    )
    als: Expression | None = None
    bepaal: dict[Ident, Expression] | None = None
    besluit: BesluitConclusie | None = None
    eigen_bijdrage: BijdrageConclusie | None = None
    ingangsdatum: Expression | None = None
    termijn: dict[Ident, Expression] | None = Field(
        default=None, description="dates the decision records (always, whatever the outcome)"
    )
    vaststelling: dict[Ident, Expression] | None = Field(
        default=None, description="amounts, percentages, durations set when granted"
    )
    uitzondering_op: list[RuleId] = Field(default_factory=list)
    gaat_voor: list[RuleId] = Field(default_factory=list)
    beoordeling: bool = Field(
        default=False,
        description="true where the college has room: the rule takes a professional's finding",
    )
    uitleg: Uitleg


class Artikel(Strict):
    nummer: Annotated[str, StringConstraints(pattern=r"^[0-9]+(\.[0-9]+)*[a-z]?$")]
    titel: Text
    tekst: Text
    grondslag: list[Grondslag] = Field(default_factory=list)
    bron: Bron
    regels: list[Regel] = Field(default_factory=list)


class Hoofdstuk(Strict):
    """`hoofdstuk-*.yaml`: one chapter with its articles."""

    schema_: str | None = Field(default=None, alias="$schema")
    nummer: int
    titel: Text
    artikelen: list[Artikel] = Field(min_length=1)


class Invariant(Strict):
    """A guarantee every decision of this version must satisfy, checked on generated cases.

    Besides the names rules may read, `als` and `dan` may read the decision: besluit.uitkomst,
    besluit.verwijzing (tekst, '' when none), besluit.toegekend, besluit.heeft_eigen_bijdrage
    (waarheid) and besluit.eigen_bijdrage (bedrag, 0 when none).
    """

    id: RuleId
    omschrijving: Text
    voor: Selectie = Field(default_factory=Selectie)
    als: Expression | None = None
    dan: Expression


class Invarianten(Strict):
    """`invarianten.yaml`: properties a version must always satisfy."""

    schema_: str | None = Field(default=None, alias="$schema")
    invarianten: list[Invariant] = Field(min_length=1)


class EigenschapSoort(StrEnum):
    stijgend = "stijgend"
    blijft_toegekend = "blijft_toegekend"
    volgorde_onafhankelijk = "volgorde_onafhankelijk"


class Eigenschap(Strict):
    """A property relating two decisions of one version (metamorphic): what must hold when a
    case changes in one known way. Checked on generated households by `verordening check`.

    - stijgend: when `feit` rises (and nothing else changes), the eigen bijdrage of a granted
      request does not fall.
    - blijft_toegekend: a granted request stays granted when any of `feiten` (findings that
      are refusal grounds) goes from true to false.
    - volgorde_onafhankelijk: the decisions do not depend on the order or the ids of the
      members of the household.
    """

    id: RuleId
    omschrijving: Text
    soort: EigenschapSoort
    voor: Selectie = Field(default_factory=Selectie)
    feit: str | None = Field(
        default=None, description="stijgend: huishouden.x, persoon.x or aanvraag.x"
    )
    feiten: list[str] = Field(
        default_factory=list, description="blijft_toegekend: aanvraag.x or persoon.x"
    )


class Eigenschappen(Strict):
    """`eigenschappen.yaml`: metamorphic properties a version must satisfy."""

    schema_: str | None = Field(default=None, alias="$schema")
    eigenschappen: list[Eigenschap] = Field(min_length=1)
