"""The HTTP JSON API: a thin layer over the library (parse, call, answer).

Every evaluation runs in a worker thread under a capacity limit and a time limit, so the
event loop keeps answering /health. Errors are answered as JSON (`Fout`); a bad case gives
422 with every located problem, never a stack trace.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

import anyio
from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response, StreamingResponse
from starlette.exceptions import HTTPException

from ..api import ENGINE_VERSION
from ..batch import BatchFout, BatchInput, BatchResult, Keuzes, error_result
from ..besluit.model import BesluitDocument
from ..casus.model import Casus
from ..errors import EvaluationError, Problem, VerordeningError
from ..regels.overview import ParameterOpDatum, parameters_on
from .guard import Guard
from .models import (
    ArtikelAntwoord,
    Fout,
    Gezondheid,
    HoofdstukRef,
    Probleem,
    VersieInfo,
)
from .service import REQUEST, Service
from .settings import Settings

log = logging.getLogger("verordening.serve")
Versie = Annotated[
    str | None,
    Query(description="Deze versie (ook een concept) in plaats van die op de peildatum"),
]
Uitleg = Annotated[
    bool,
    Query(description="false: besluiten zonder de uitleg per artikel en zonder alternatieven"),
]
BuitenGeldigheid = Annotated[
    bool,
    Query(
        description="true: ook een peildatum buiten de geldigheid van de versie (wat-als), "
        "als --buiten-geldigheid"
    ),
]
Peildatum = Annotated[
    dt.date | None,
    Query(
        description="Waarden op deze dag (standaard: vandaag als de versie dan geldt, anders "
        "de eerste dag van de versie)"
    ),
]
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": Fout, "description": "Geen of een verkeerd token"},
    413: {"model": Fout, "description": "Het verzoek is groter dan de limiet"},
    422: {"model": Fout, "description": "Ongeldige invoer, met elk probleem op zijn plaats"},
    503: {"model": Fout, "description": "Tijdslimiet overschreden"},
}


def _fout(status: int, message: str, problems: list[Problem] | None = None) -> JSONResponse:
    body = Fout(fout=message, problemen=[Probleem.of(p) for p in problems or []])
    return JSONResponse(body.model_dump(mode="json"), status_code=status)


def create_app(settings: Settings) -> FastAPI:
    """The application; `verordening serve` runs it under uvicorn."""
    service = Service(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        service.limiter = anyio.CapacityLimiter(settings.limits.max_concurrent)
        yield

    app = FastAPI(
        title="verordening-engine",
        version=ENGINE_VERSION,
        description=(
            "Besluiten volgens de integrale verordening sociaal domein Dordrecht, met uitleg. "
            "Dezelfde JSON als `verordening evaluate --format json`."
        ),
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    limits = settings.limits
    app.add_middleware(
        Guard,
        token=settings.token,
        limit_for=lambda path: limits.max_batch_bytes if path == "/v1/batch" else limits.max_bytes,
    )
    _handlers(app, settings)
    _routes(app, service)
    _openapi(app)
    return app


def _handlers(app: FastAPI, settings: Settings) -> None:
    @app.exception_handler(VerordeningError)
    async def bad_input(_: Request, exc: VerordeningError) -> JSONResponse:
        return _fout(422, "ongeldige invoer", exc.problems)

    @app.exception_handler(RequestValidationError)
    async def bad_parameters(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            Problem(REQUEST, None, None, ".".join(str(p) for p in e.get("loc", ())), e["msg"])
            for e in exc.errors()
        ]
        return _fout(422, "ongeldige invoer", problems)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        if exc.status_code == 404 and exc.detail == "Not Found":
            return _fout(404, f"onbekend pad: {request.url.path}")
        if exc.status_code == 405:
            return _fout(405, f"methode {request.method} is hier niet toegestaan")
        return _fout(exc.status_code, str(exc.detail))

    @app.exception_handler(TimeoutError)
    async def too_slow(_: Request, exc: TimeoutError) -> JSONResponse:
        return _fout(503, f"tijdslimiet van {settings.limits.timeout:g} s overschreden")

    @app.exception_handler(EvaluationError)
    async def rule_fault(_: Request, exc: EvaluationError) -> JSONResponse:
        log.error("fout in de regels: %s", exc)
        return _fout(500, f"fout in de regels: {exc}")

    @app.exception_handler(Exception)
    async def internal(_: Request, exc: Exception) -> JSONResponse:
        log.exception("interne fout")
        return _fout(500, f"interne fout ({type(exc).__name__})")


def _routes(app: FastAPI, service: Service) -> None:

    @app.get("/health", response_model=Gezondheid, tags=["beheer"])
    async def health() -> Gezondheid:
        """Answers while the service runs; needs no token."""
        return Gezondheid(status="ok", engine=ENGINE_VERSION)

    @app.post(
        "/v1/evaluate",
        response_class=Response,
        tags=["besluiten"],
        responses={200: {"model": BesluitDocument, "description": "Het besluitdocument"}, **ERRORS},
        openapi_extra={
            "requestBody": {
                "required": True,
                "description": "Een casus als JSON (YAML wordt ook gelezen)",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Casus"}}},
            }
        },
    )
    async def evaluate(
        request: Request,
        versie: Versie = None,
        uitleg: Uitleg = True,
        buiten_geldigheid: BuitenGeldigheid = False,
    ) -> Response:
        """Decide every request of the case: what `verordening evaluate --format json` prints."""
        body = await request.body()
        work = functools.partial(service.evaluate, body, versie, uitleg, buiten_geldigheid)
        return Response(await service.run(work), media_type="application/json")

    @app.post(
        "/v1/batch",
        response_class=StreamingResponse,
        tags=["besluiten"],
        responses={
            200: {
                "description": "Per casus één regel: het besluitdocument, of een BatchFout",
                "content": {
                    "application/x-ndjson": {"schema": {"$ref": "#/components/schemas/BatchFout"}}
                },
            },
            **ERRORS,
        },
        openapi_extra={
            "requestBody": {
                "required": True,
                "description": "JSON Lines: per regel één casus",
                "content": {
                    "application/x-ndjson": {"schema": {"$ref": "#/components/schemas/Casus"}}
                },
            }
        },
    )
    async def batch(
        request: Request,
        versie: Versie = None,
        uitleg: Uitleg = True,
        buiten_geldigheid: BuitenGeldigheid = False,
    ) -> StreamingResponse:
        """Many cases, one per line; one result line per case, in order, as they are decided.

        The lines are those of `verordening batch`. A case over the time limit gets an error line.
        """
        inputs = service.batch_inputs(await request.body())  # NUL bytes: 422 before streaming
        keuzes = Keuzes(versie, buiten_geldigheid, explain=uitleg)

        async def lines() -> AsyncIterator[str]:
            for item in inputs:
                yield (await _decided(item)).as_json_line() + "\n"

        async def _decided(item: BatchInput) -> BatchResult:
            try:
                return await service.run(functools.partial(service.batch_result, item, keuzes))
            except TimeoutError:
                limit = service.settings.limits.timeout
                problem = Problem(
                    item.bron, None, None, "", f"tijdslimiet van {limit:g} s overschreden"
                )
                return error_result(item, "verwerking", [problem])

        return StreamingResponse(lines(), media_type="application/x-ndjson")

    @app.get("/v1/versies", response_model=list[VersieInfo], tags=["regels"])
    async def versies() -> list[VersieInfo]:
        """Every version with its status and dates (the timeline)."""
        return [
            VersieInfo(
                id=v.meta.id,
                titel=v.meta.titel,
                versie=v.meta.versie,
                status=v.meta.status.value,
                geldig_vanaf=v.meta.geldig_vanaf,
                geldig_tot=v.meta.geldig_tot,
                vorige_versie=v.meta.vorige_versie,
            )
            for v in service.infos
        ]

    @app.get(
        "/v1/versies/{versie}/artikelen/{nummer}",
        response_model=ArtikelAntwoord,
        tags=["regels"],
        responses={404: {"model": Fout}},
    )
    async def artikel(versie: str, nummer: str) -> ArtikelAntwoord:
        """An article: text, legal basis, source and its rules."""
        rs = service.regelsets[service.info(versie).meta.versie].compiled
        for chapter in rs.source.hoofdstukken:
            for art in chapter.artikelen:
                if art.nummer == nummer:
                    return ArtikelAntwoord(
                        versie=versie,
                        hoofdstuk=HoofdstukRef(nummer=chapter.nummer, titel=chapter.titel),
                        artikel=art,
                    )
        raise HTTPException(404, f"geen artikel '{nummer}' in versie {versie}")

    @app.get(
        "/v1/versies/{versie}/parameters",
        response_model=list[ParameterOpDatum],
        tags=["regels"],
        responses={404: {"model": Fout}, 422: {"model": Fout}},
    )
    async def parameters(
        versie: str,
        peildatum: Peildatum = None,
    ) -> list[ParameterOpDatum]:
        """Every parameter with its value on the peildatum, unit, source and verification."""
        info = service.info(versie)
        rs = service.regelsets[info.meta.versie].compiled
        today = dt.date.today()
        day = peildatum or (today if info.covers(today) else info.meta.geldig_vanaf)
        return parameters_on(rs, day)

    @app.get(
        "/v1/schemas/{name}",
        tags=["regels"],
        responses={200: {"description": "Een JSON Schema"}, 404: {"model": Fout}},
    )
    async def schema(name: str) -> Response:
        """A JSON Schema by name: casus, casus-<versie>, besluit, regelset, ..."""
        texts = service.schemas
        key = name.removesuffix(".json").removesuffix(".schema") + ".schema.json"
        if key not in texts:
            known = ", ".join(sorted(n.removesuffix(".schema.json") for n in texts))
            raise HTTPException(404, f"onbekend schema '{name}' (bekend: {known})")
        return Response(texts[key], media_type="application/schema+json")


def _openapi(app: FastAPI) -> None:
    """The generated document plus the case model, which routes read from the raw body."""

    def build() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title, version=app.version, description=app.description, routes=app.routes
            )
            case = Casus.model_json_schema(ref_template="#/components/schemas/{model}")
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            for name, definition in case.pop("$defs", {}).items():
                components.setdefault(name, definition)
            components["Casus"] = case
            # the batch's own Probleem (no `tekst`) is named BatchProbleem next to ours
            fout = BatchFout.model_json_schema(ref_template="#/components/schemas/Batch{model}")
            for name, definition in fout.pop("$defs", {}).items():
                components.setdefault(f"Batch{name}", definition)
            components.setdefault("BatchFout", fout)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = build  # type: ignore[method-assign]
