"""Streaming a stored file out in chunks, for the native and the MLflow artifact APIs."""

from __future__ import annotations

import mimetypes
import os
from pathlib import Path
from urllib.parse import quote

from tornado.iostream import StreamClosedError

from .handlers.base import MlopsAPIHandler

_CHUNK = 1024 * 1024


async def stream_file(handler: MlopsAPIHandler, file_path: Path, disposition: str) -> str | None:
    """Write ``file_path`` as the answer's body, a chunk at a time (read in the thread
    pool), with its length, type and ``disposition`` ("inline" or "attachment"). The
    content type, or None when the client went away (nothing more to answer)."""
    run = handler.run
    mime, encoding = mimetypes.guess_type(file_path.name)
    # "x.csv.gz" is gzip bytes, not CSV: say so rather than let a browser inflate it.
    content_type = "application/octet-stream" if encoding or not mime else mime
    source = await run(open, file_path, "rb")
    try:
        handler.set_header("Content-Length", os.fstat(source.fileno()).st_size)
        handler.set_header("Content-Type", content_type)
        handler.set_header(
            "Content-Disposition", f"{disposition}; filename*=UTF-8''{quote(file_path.name)}"
        )
        while chunk := await run(source.read, _CHUNK):
            handler.write(chunk)
            await handler.flush()
    except StreamClosedError:
        return None
    finally:
        source.close()
    return content_type
