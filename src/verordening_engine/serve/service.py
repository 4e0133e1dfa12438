"""What the routes call: the regels read once at start, bounded evaluation, the answers.

The service reads and compiles every version when it starts and keeps them: a running
service does not change its decisions when rule files change on disk (restart it to take
new rules), and no request pays for looking at the files.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any, TypeVar

import anyio
import anyio.to_thread
from starlette.exceptions import HTTPException

from ..api import Regelset, load_regelset_folder, read_case_text, versions
from ..batch import BatchInput, BatchResult, Keuzes, evaluate_one, read_lines
from ..besluit.model import BesluitDocument
from ..casus.model import Casus
from ..errors import Problem, VerordeningError
from ..reading.yaml_loading import LocatedDocument
from ..regels.loading import META_FILE
from ..regels.versions import VersionInfo, select_version
from ..schemas import generate
from .settings import Settings

T = TypeVar("T")
REQUEST = "<verzoek>"


def decide(
    regelset: Regelset,
    casus: Casus,
    doc: LocatedDocument,
    uitleg: bool,
    buiten_geldigheid: bool = False,
) -> BesluitDocument:
    """The decision document; without `uitleg` the fast path (`artikelen` empty, no
    alternatives), as `verordening batch --zonder-uitleg`."""
    return regelset.evaluate_casus(casus, doc, buiten_geldigheid=buiten_geldigheid, explain=uitleg)


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
        """As `load_regelset` for `verordening evaluate`: the version asked for, else the
        case's own `versie:`, else the one in force on the peildatum."""
        if self.single_folder:
            return next(iter(self.regelsets.values()))
        chosen = select_version(self.infos, casus.peildatum, versie or casus.versie)
        return self.regelsets[chosen.meta.versie]

    def evaluate(
        self, body: bytes, versie: str | None, uitleg: bool, buiten_geldigheid: bool = False
    ) -> str:
        """The JSON text `verordening evaluate --format json` prints for this case."""
        casus, doc = read_case_text(decode(body), REQUEST)
        document = decide(self.choose(casus, versie), casus, doc, uitleg, buiten_geldigheid)
        return document.model_dump_json(indent=2) + "\n"

    def batch_inputs(self, body: bytes) -> list[BatchInput]:
        """The cases of a JSON Lines body, read as `verordening batch` reads its input (a line
        over the size limit, not UTF-8 or not JSON is that line's error record; NUL bytes at
        the start refuse the whole body: VerordeningError, 422)."""
        return list(read_lines(io.BytesIO(body), REQUEST))

    def batch_result(self, item: BatchInput, keuzes: Keuzes) -> BatchResult:
        """One case of a batch: the record `verordening batch` writes for it."""
        return evaluate_one(str(self.settings.regels), keuzes, item, _Compiled(self))


class _Compiled(dict[Any, Regelset]):
    """The version cache `batch.evaluate_one` consults (key: a versie, or a peildatum when
    the case names none), answered from the versions compiled at start: no file is read."""

    def __init__(self, service: Service) -> None:
        super().__init__()
        self.service = service

    def __contains__(self, key: object) -> bool:
        return True

    def __missing__(self, key: Any) -> Regelset:
        service = self.service
        if service.single_folder:
            return next(iter(service.regelsets.values()))
        if isinstance(key, str):
            info = select_version(service.infos, dt.date.min, key)
        else:
            info = select_version(service.infos, key)
        return service.regelsets[info.meta.versie]
