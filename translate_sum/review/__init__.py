"""The local review server: review pages with editing, saving each correction to the translation memory."""

from __future__ import annotations

import secrets
import socket
from collections.abc import Callable
from pathlib import Path

from translate_sum.errors import ConfigError, OutputError
from translate_sum.memory.store import MemoryStore

__all__ = ["DEFAULT_PORT", "HOST", "serve"]

HOST = "127.0.0.1"  # loopback only: the server is for the reviewer at this machine
DEFAULT_PORT = 8765


def serve(
    output_dir: Path,
    memory_file: Path,
    port: int = DEFAULT_PORT,
    on_ready: Callable[[str], None] = lambda url: None,
) -> None:
    """Serve ``output_dir`` for review on ``http://127.0.0.1:port/`` until interrupted.

    ``port`` 0 picks a free one; ``on_ready`` gets the address once the socket is bound.
    Raises OutputError when there is nothing to review, ConfigError when the port is taken.
    """
    import uvicorn

    from translate_sum.review.app import create_app

    output_dir = Path(output_dir)
    if not output_dir.is_dir():
        raise OutputError(f"{output_dir}: no such output folder; run tsum all first (or pass --output)")
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((HOST, port))
    except OSError as exc:
        listener.close()
        raise ConfigError(f"{HOST}:{port}: cannot listen ({exc.strerror}); choose another --port") from None
    listener.listen(128)  # from here a browser's connection waits in the queue until the server is up
    port = listener.getsockname()[1]
    with MemoryStore(memory_file) as store:
        app = create_app(output_dir, store, port=port, token=secrets.token_urlsafe(32))
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
        on_ready(f"http://{HOST}:{port}/")
        try:
            uvicorn.Server(config).run(sockets=[listener])
        finally:
            listener.close()
