"""`verordening serve`: run the HTTP API under uvicorn."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .app import guarded, main, regels_of


@main.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to bind (127.0.0.1: this machine only).",
)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--token-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="File holding a bearer token; then every route but /health needs "
    "'Authorization: Bearer <token>'.",
)
@click.option(
    "--max-bytes",
    default=1_000_000,
    show_default=True,
    type=click.IntRange(1_000, 2_000_000),
    help="Largest request body (POST /v1/evaluate).",
)
@click.option(
    "--max-batch-bytes",
    default=50_000_000,
    show_default=True,
    type=click.IntRange(1_000, 1_000_000_000),
    help="Largest body of POST /v1/batch.",
)
@click.option(
    "--timeout",
    default=10.0,
    show_default=True,
    type=click.FloatRange(0.1, 3600),
    help="Seconds for one evaluation, waiting included (per case in a batch).",
)
@click.option(
    "--max-gelijktijdig",
    "max_concurrent",
    default=4,
    show_default=True,
    type=click.IntRange(1, 256),
    help="Evaluations at the same time; more wait (within --timeout).",
)
@click.option(
    "--max-verbindingen",
    "max_connections",
    default=64,
    show_default=True,
    type=click.IntRange(1, 10_000),
    help="Open connections; more get 503.",
)
@click.pass_context
@guarded
def serve(
    ctx: click.Context,
    host: str,
    port: int,
    token_file: Path | None,
    max_bytes: int,
    max_batch_bytes: int,
    timeout: float,
    max_concurrent: int,
    max_connections: int,
) -> None:
    """Serve the engine as an HTTP JSON API (POST /v1/evaluate, /v1/batch, GET /v1/versies, ...)."""
    try:
        import uvicorn

        from ..serve.app import create_app
    except ImportError as exc:
        click.echo(
            f"fout: the service needs the serve extra: pip install 'verordening-engine[serve]' "
            f"({exc})",
            err=True,
        )
        sys.exit(2)
    from ..serve.settings import Limits, Settings, read_token

    settings = Settings(
        regels=regels_of(ctx),
        token=read_token(token_file) if token_file else None,
        limits=Limits(
            max_bytes=max_bytes,
            max_batch_bytes=max_batch_bytes,
            timeout=timeout,
            max_concurrent=max_concurrent,
            max_connections=max_connections,
        ),
    )
    if settings.token is None and host not in ("127.0.0.1", "::1", "localhost"):
        click.echo(
            f"waarschuwing: {host} is reachable from other machines and there is no "
            "--token-file: anyone who can reach it can use the service",
            err=True,
        )
    app = create_app(settings)  # reads and compiles every version before the port opens
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        limit_concurrency=max_connections,
        timeout_keep_alive=5,
        server_header=False,
        log_level="info",
    )
    uvicorn.Server(config).run()
