"""What the routes call: the regels read once at start, bounded evaluation, the answers.

The service reads and compiles every version when it starts and keeps them: a running
service does not change its decisions when rule files change on disk (restart it to take
new rules), and no request pays for looking at the files.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import anyio
import anyio.to_thread
from starlette.exceptions import HTTPException

from ..api import Regelset, load_regelset_folder, read_case, read_case_text, versions
from ..batch import BatchResult
from ..besluit.model import BesluitDocument
from ..casus.model import Casus
from ..errors import EvaluationError, Problem, VerordeningError
from ..reading.yaml_loading import LocatedDocument
from ..regels.loading import META_FILE
from ..regels.versions import VersionInfo, select_version
from ..schemas import generate
from .settings import Settings

T = TypeVar("T")
REQUEST = "<verzoek>"


def decide(regelset: Regelset, casus: Casus, doc: LocatedDocument, uitleg: bool) -> BesluitDocument:
    """The decision document, with or without the explanation (`artikelen`)."""
    document = regelset.evaluate_casus(casus, doc)
    # Until Regelset.evaluate_casus(..., explain=False) exists the explanation is dropped here.
    return document if uitleg else _without_explanation(document)


def _without_explanation(document: BesluitDocument) -> BesluitDocument:
    besluiten = [b.model_copy(update={"artikelen": []}) for b in document.besluiten]
    return document.model_copy(update={"besluiten": besluiten})


def decode(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise VerordeningError(
            [Problem(REQUEST, None, None, "", f"not UTF-8 text (byte {exc.start})")]
        ) from None


class Service:
    """State shared by the routes: settings, compiled versions, evaluation slots, schemas."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.limiter: anyio.CapacityLimiter | None = None
        root = settings.regels
        self.single_folder = (root / META_FILE).is_file()
        if self.single_folder:  # one version folder, taken whatever its dates (as load_regelset)
            only = load_regelset_folder(root)
            self.infos: list[VersionInfo] = [VersionInfo(root, only.compiled.meta)]
        else:
            self.infos = versions(root)
        self.regelsets = {i.meta.versie: load_regelset_folder(i.folder) for i in self.infos}
        self.schemas = generate([r.compiled for r in self.regelsets.values()])

    async def run(self, work: Callable[[], T]) -> T:
        """`work` in a worker thread: at most max_concurrent at once, within the time limit."""
        if self.limiter is None:
            self.limiter = anyio.CapacityLimiter(self.settings.limits.max_concurrent)
        with anyio.fail_after(self.settings.limits.timeout):
            return await anyio.to_thread.run_sync(
                work, limiter=self.limiter, abandon_on_cancel=True
            )

    def info(self, versie: str) -> VersionInfo:
        for info in self.infos:
            if info.meta.versie == versie:
                return info
        known = ", ".join(i.meta.versie for i in self.infos)
        raise HTTPException(404, f"onbekende versie '{versie}' (bekend: {known})")

    def choose(self, casus: Casus, versie: str | None) -> Regelset:
        """As `load_regelset`: the version asked for, or the one in force on the peildatum."""
        if self.single_folder:
            return next(iter(self.regelsets.values()))
        return self.regelsets[select_version(self.infos, casus.peildatum, versie).meta.versie]

    def evaluate(self, body: bytes, versie: str | None, uitleg: bool) -> str:
        """The JSON text `verordening evaluate --format json` prints for this case."""
        casus, doc = read_case_text(decode(body), REQUEST)
        document = decide(self.choose(casus, versie), casus, doc, uitleg)
        return document.model_dump_json(indent=2) + "\n"

    def batch_result(self, case: Any, index: int, versie: str | None, uitleg: bool) -> BatchResult:
        """One case of a batch, as `verordening batch` reports it."""
        data = case if isinstance(case, Mapping) else {"_ongeldig": case}
        name = data.get("casus")
        label = str(name) if name else None
        try:
            casus, doc = read_case(data)
            document = decide(self.choose(casus, versie), casus, doc, uitleg)
            return BatchResult(index, casus.casus, document.model_dump(mode="json"), None)
        except VerordeningError as exc:
            return BatchResult(index, label, None, [str(p) for p in exc.problems])
        except EvaluationError as exc:
            return BatchResult(index, label, None, [str(exc)])
