"""`verordening serve` tested as an integrator uses it: a real server process, a real client.

The server runs from an empty directory (so it uses the packaged regels) with a bearer
token and a small body limit; every answer is compared with what the CLI prints.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
import yaml
from click.testing import CliRunner

from verordening_engine.api import evaluate, load_regelset, read_case
from verordening_engine.cli import main
from verordening_engine.errors import VerordeningError
from verordening_engine.regels.location import resolve_regels
from verordening_engine.serve.service import Service
from verordening_engine.serve.settings import Limits, Settings

from .conftest import SCENARIOS, VERSIE_2026

MAX_BYTES = 100_000
SCENARIO_FILES = sorted(SCENARIOS.glob("*.yaml"))


@dataclass
class Server:
    url: str
    token: str
    log: Path

    def client(self, **kwargs: Any) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.token}"}
        return httpx.Client(base_url=self.url, headers=headers, timeout=60, **kwargs)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    here = tmp_path_factory.mktemp("serve")
    empty = here / "leeg"
    empty.mkdir()
    token = secrets.token_urlsafe(24)
    (here / "token").write_text(token + "\n", "utf-8")
    log = here / "server.log"
    for _attempt in range(3):
        port = _free_port()
        with log.open("w") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "verordening_engine", "serve", "--port", str(port),
                 "--token-file", str(here / "token"), "--max-bytes", str(MAX_BYTES),
                 "--timeout", "60"],
                cwd=empty,
                stdout=out,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        if process.poll() is None:
            break
    else:
        pytest.fail(f"the server did not start:\n{log.read_text()}")
    try:
        yield Server(url, token, log)
    finally:
        process.terminate()
        process.wait(timeout=30)


def _plain(value: Any) -> Any:
    """YAML data as JSON data (dates as ISO text), as another system would send it."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _case_json(file: Path) -> bytes:
    return json.dumps(_plain(yaml.safe_load(file.read_text("utf-8")))).encode()


def _versie(file: Path) -> str | None:
    return read_case(file)[0].versie


def _cli_json(file: Path, versie: str | None) -> Any:
    args = ["evaluate", "--format", "json", str(file)]
    if versie:
        args[1:1] = ["--versie", versie]
    result = CliRunner().invoke(main, args)
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize("file", SCENARIO_FILES, ids=lambda f: f.stem)
def test_evaluate_answers_what_the_cli_prints(server: Server, file: Path) -> None:
    versie = _versie(file)
    with server.client() as client:
        response = client.post(
            "/v1/evaluate", content=_case_json(file), params={"versie": versie} if versie else {}
        )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.json() == _cli_json(file, versie)


def test_sixteen_concurrent_requests_answer_as_sequential_ones(server: Server) -> None:
    files = SCENARIO_FILES[:16]
    bodies = [(_case_json(f), _versie(f)) for f in files]

    def ask(client: httpx.Client, body: bytes, versie: str | None) -> bytes:
        response = client.post(
            "/v1/evaluate", content=body, params={"versie": versie} if versie else {}
        )
        assert response.status_code == 200, response.text
        return response.content

    with server.client() as client:
        sequential = [ask(client, body, versie) for body, versie in bodies]
    limits = httpx.Limits(max_connections=16, max_keepalive_connections=16)
    with server.client(limits=limits) as client, ThreadPoolExecutor(16) as pool:
        concurrent = list(pool.map(lambda bv: ask(client, *bv), bodies))
    assert concurrent == sequential
    assert len(set(sequential)) == len(files)


def _cli_batch(tmp_path: Path, lines: list[str], *options: str) -> list[Any]:
    """What `verordening batch` writes for these lines, as if they came from the request."""
    source = tmp_path / f"cases{len(list(tmp_path.iterdir()))}.jsonl"
    source.write_text("\n".join(lines) + "\n", "utf-8")
    result = CliRunner().invoke(main, ["batch", str(source), *options])
    assert result.exit_code in (0, 1), result.output
    text = result.stdout.replace(str(source), "<verzoek>")
    return [json.loads(line) for line in text.splitlines() if line]


def _served_batch(server: Server, lines: list[str], params: dict[str, str]) -> list[Any]:
    body = ("\n".join(lines) + "\n").encode()
    with (
        server.client() as client,
        client.stream("POST", "/v1/batch", content=body, params=params) as response,
    ):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/x-ndjson")
        return [json.loads(line) for line in response.iter_lines() if line]


def test_uitleg_false_is_the_fast_path_of_batch_zonder_uitleg(
    server: Server, tmp_path: Path
) -> None:
    file = SCENARIOS / "wmo-10-net-boven-minimagrens.yaml"
    body = _case_json(file)
    with server.client() as client:
        full = client.post("/v1/evaluate", content=body).json()
        short = client.post("/v1/evaluate", content=body, params={"uitleg": "false"}).json()
    assert all(b["artikelen"] for b in full["besluiten"])
    assert any(b["alternatieven"] for b in full["besluiten"])  # searched only when explaining
    assert short == _cli_batch(tmp_path, [body.decode()], "--zonder-uitleg")[0]
    for b in full["besluiten"]:
        b["artikelen"] = b["alternatieven"] = []
    assert short == full  # the same decisions, only the explanation left out


def test_batch_gives_the_lines_of_verordening_batch_in_order(
    server: Server, tmp_path: Path
) -> None:
    plain = [f for f in SCENARIO_FILES if _versie(f) is None][:4]
    own_versie = next(f for f in SCENARIO_FILES if _versie(f) is not None)
    files = [*plain, own_versie]  # a case's own `versie:` is honoured
    lines = [_case_json(f).decode() for f in files]
    lines.insert(2, '{"casus": "kapot", "peildatum": "2026-05-01"}')
    lines.insert(4, "geen json")
    lines.insert(5, "")  # a blank line is no case
    answers = _served_batch(server, lines, {})
    assert answers == _cli_batch(tmp_path, lines)
    assert len(answers) == len(lines) - 1
    decided = [a for a in answers if "besluiten" in a]
    assert [a["casus"] for a in decided] == [f.stem for f in files]
    assert decided[-1]["verordening"]["versie"] == _versie(own_versie)
    assert decided[0] == _cli_json(files[0], None)
    kapot, geen_json = answers[2], answers[4]
    assert (kapot["regel"], kapot["soort"], kapot["bron"]) == (3, "invoer", "<verzoek>:3")
    assert {p["veld"] for p in kapot["problemen"]} == {"aanvragen", "huishouden"}
    assert geen_json["regel"] == 5 and "not valid JSON" in geen_json["fouten"][0]
    # without the explanation: the lines of `verordening batch --zonder-uitleg`
    short = _served_batch(server, lines, {"uitleg": "false"})
    assert short == _cli_batch(tmp_path, lines, "--zonder-uitleg")
    assert all(b["artikelen"] == [] for a in short if "besluiten" in a for b in a["besluiten"])


def test_batch_refuses_a_peildatum_outside_the_version_unless_buiten_geldigheid(
    server: Server, tmp_path: Path
) -> None:
    scenario = SCENARIOS / "v2025-01-vervoer-ouders-dichtbij.yaml"
    case = _plain(yaml.safe_load(scenario.read_text("utf-8")))
    case["versie"] = "2026-04-01"  # a peildatum in 2025 under a version from 2026
    lines = [json.dumps(case)]
    refused = _served_batch(server, lines, {})
    assert refused == _cli_batch(tmp_path, lines)
    assert refused[0]["soort"] == "invoer"
    assert "outside the validity" in refused[0]["fouten"][0]
    what_if = _served_batch(server, lines, {"buiten_geldigheid": "true"})
    assert what_if == _cli_batch(tmp_path, lines, "--buiten-geldigheid")
    assert what_if[0]["verordening"]["versie"] == "2026-04-01"


def test_bad_case_is_422_with_located_problems(server: Server) -> None:
    body = b'{\n  "casus": "x",\n  "peildatum": "2026-13-01",\n  "huishouden": {"leden": []}\n}'
    with server.client() as client:
        response = client.post("/v1/evaluate", content=body)
    assert response.status_code == 422
    answer = response.json()
    fields = {p["veld"]: p for p in answer["problemen"]}
    assert fields["peildatum"]["regel"] == 3
    assert fields["aanvragen"]["melding"]
    assert "huishouden.leden" in fields
    assert "Traceback" not in response.text


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (b'{"casus": ', "not valid YAML"),
        (b"\xff\xfe", "not UTF-8"),
        (b"[1, 2]", ""),
    ],
)
def test_unreadable_body_is_422(server: Server, body: bytes, fragment: str) -> None:
    with server.client() as client:
        response = client.post("/v1/evaluate", content=body)
    assert response.status_code == 422, response.text
    assert fragment in response.json()["problemen"][0]["melding"]


def test_unknown_fact_and_version_are_422(server: Server) -> None:
    case = json.loads(_case_json(SCENARIO_FILES[0]))
    case["aanvragen"][0]["feiten"]["jeugdhulp_nodg"] = True
    with server.client() as client:
        wrong_fact = client.post("/v1/evaluate", content=json.dumps(case))
        wrong_version = client.post(
            "/v1/evaluate", content=_case_json(SCENARIO_FILES[0]), params={"versie": "1999"}
        )
    assert wrong_fact.status_code == 422
    assert "unknown fact" in wrong_fact.json()["problemen"][0]["melding"]
    assert wrong_version.status_code == 422
    assert "no version '1999'" in wrong_version.json()["problemen"][0]["melding"]


def test_body_over_the_limit_is_413(server: Server) -> None:
    case = json.loads(_case_json(SCENARIO_FILES[0]))
    case["verhaal"] = "x" * MAX_BYTES
    with server.client() as client:
        declared = client.post("/v1/evaluate", content=json.dumps(case))

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted while reading
            yield json.dumps(case).encode()

        streamed = client.post("/v1/evaluate", content=chunks())
    for response in (declared, streamed):
        assert response.status_code == 413
        assert str(MAX_BYTES) in response.json()["fout"]


def test_unknown_route_and_method(server: Server) -> None:
    with server.client() as client:
        missing = client.get("/v1/bestaat-niet")
        method = client.get("/v1/evaluate")
        artikel = client.get("/v1/versies/2026-04-01/artikelen/99.9")
        versie = client.get("/v1/versies/1999/parameters")
    assert missing.status_code == 404 and "/v1/bestaat-niet" in missing.json()["fout"]
    assert method.status_code == 405 and method.json()["fout"]
    assert artikel.status_code == 404 and "99.9" in artikel.json()["fout"]
    assert versie.status_code == 404 and "2026-04-01" in versie.json()["fout"]


def test_token_protects_all_but_health(server: Server) -> None:
    with httpx.Client(base_url=server.url, timeout=30) as anonymous:
        assert anonymous.get("/health").json()["status"] == "ok"
        for method, path in [
            ("GET", "/v1/versies"),
            ("GET", "/openapi.json"),
            ("POST", "/v1/evaluate"),
            ("POST", "/v1/batch"),
            ("GET", "/v1/schemas/casus"),
            ("GET", "/v1/bestaat-niet"),
        ]:
            response = anonymous.request(method, path, content=b"{}")
            assert response.status_code == 401, path
            assert response.headers["www-authenticate"] == "Bearer"
        wrong = anonymous.get("/v1/versies", headers={"Authorization": "Bearer fout"})
        assert wrong.status_code == 401


def test_versions_articles_parameters_and_schemas(server: Server) -> None:
    cli_versions = CliRunner().invoke(main, ["versions"])
    with server.client() as client:
        versies = client.get("/v1/versies").json()
        artikel = client.get("/v1/versies/2026-04-01/artikelen/2.3").json()
        params = client.get(
            "/v1/versies/2026-04-01/parameters", params={"peildatum": "2025-06-01"}
        ).json()
        bad_day = client.get("/v1/versies/2026-04-01/parameters", params={"peildatum": "morgen"})
        schema = client.get("/v1/schemas/casus-2026-04-01").json()
        unknown = client.get("/v1/schemas/bestaat-niet")
    assert [v["versie"] for v in versies] == ["2025-01-01", "2026-04-01", "2027-01-01"]
    assert all(v["versie"] in cli_versions.output for v in versies)
    assert artikel["artikel"]["nummer"] == "2.3" and artikel["artikel"]["grondslag"]
    tarief = next(p for p in params if p["parameter"] == "abonnementstarief")
    assert (tarief["waarde"], tarief["vanaf"]) == ("21.00", "2025-01-01")
    assert tarief["status"] == "ongeverifieerd" and tarief["bron"]
    assert bad_day.status_code == 422 and bad_day.json()["problemen"][0]["veld"].endswith(
        "peildatum"
    )
    assert schema["$id"] == "casus-2026-04-01.schema.json"
    on_disk = (SCENARIOS.parent / "schemas" / "casus-2026-04-01.schema.json").read_text("utf-8")
    assert schema == json.loads(on_disk)
    assert unknown.status_code == 404 and "casus-2026-04-01" in unknown.json()["fout"]


def test_openapi_describes_requests_and_responses(server: Server) -> None:
    with server.client() as client:
        document = client.get("/openapi.json").json()
    paths = document["paths"]
    for path in (
        "/v1/evaluate",
        "/v1/batch",
        "/v1/versies",
        "/v1/versies/{versie}/artikelen/{nummer}",
        "/v1/versies/{versie}/parameters",
        "/v1/schemas/{name}",
        "/health",
    ):
        assert path in paths
    evaluate = paths["/v1/evaluate"]["post"]
    body = evaluate["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/Casus"}
    ok = evaluate["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": "#/components/schemas/BesluitDocument"}
    assert evaluate["responses"]["422"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/Fout"
    )
    components = document["components"]["schemas"]
    assert {"Casus", "Aanvraag", "BesluitDocument", "Fout", "Probleem", "VersieInfo"} <= set(
        components
    )
    # a batch error line is batch's BatchFout record, with its own Probleem next to ours
    fout = components["BatchFout"]
    assert {"casus", "bron", "regel", "soort", "fouten", "problemen"} <= set(fout["properties"])
    assert fout["properties"]["problemen"]["items"] == {
        "$ref": "#/components/schemas/BatchProbleem"
    }
    assert "tekst" in components["Probleem"]["properties"]
    assert "Traceback" not in server.log.read_text()


def _service(**limits: Any) -> Service:
    return Service(Settings(regels=resolve_regels(), limits=Limits(**limits)))


def test_time_limit_cuts_a_slow_evaluation_short() -> None:
    service = _service(timeout=0.05)

    async def ask() -> None:
        await service.run(lambda: time.sleep(3))

    started = time.monotonic()
    with pytest.raises(TimeoutError):
        anyio.run(ask)
    assert time.monotonic() - started < 3


def test_no_more_evaluations_at_once_than_allowed() -> None:
    service = _service(max_concurrent=2, timeout=60)
    lock = threading.Lock()
    running = [0, 0]  # now, highest

    def work() -> None:
        with lock:
            running[0] += 1
            running[1] = max(running)
        time.sleep(0.1)
        with lock:
            running[0] -= 1

    async def many() -> None:
        async with anyio.create_task_group() as group:
            for _ in range(8):
                group.start_soon(service.run, work)

    anyio.run(many)
    assert running[0] == 0 and 1 <= running[1] <= 2  # eight asked at once, two at a time


def test_one_version_folder_serves_as_load_regelset_reads_it() -> None:
    service = Service(Settings(regels=VERSIE_2026))
    inside = SCENARIOS / "wmo-10-net-boven-minimagrens.yaml"  # a peildatum in 2026
    answer = json.loads(service.evaluate(_case_json(inside), None, True))
    assert answer["verordening"]["versie"] == "2026-04-01"
    assert answer == evaluate(inside, regels=VERSIE_2026).model_dump(mode="json")
    # a peildatum before the folder's version: refused as the library refuses it, unless what-if
    outside = SCENARIOS / "v2025-01-vervoer-ouders-dichtbij.yaml"
    with pytest.raises(VerordeningError) as served:
        service.evaluate(_case_json(outside), None, True)
    with pytest.raises(VerordeningError) as library:
        evaluate(outside, regels=VERSIE_2026)
    assert [p.message for p in served.value.problems] == [p.message for p in library.value.problems]
    assert "outside the validity of version 2026-04-01" in served.value.problems[0].message
    what_if = json.loads(service.evaluate(_case_json(outside), None, True, True))
    expected = load_regelset(VERSIE_2026).evaluate(outside, buiten_geldigheid=True)
    assert what_if == expected.model_dump(mode="json")
