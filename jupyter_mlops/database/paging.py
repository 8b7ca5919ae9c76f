"""Keyset page tokens: opaque, url-safe, and bound to the query that made them.

A token holds the last row's sort values and id plus a short fingerprint of the query
(experiments, filter, order, view). A token presented with another query, or garbled,
is rejected with InvalidParameter(field="page_token") rather than silently giving a
wrong page.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from typing import Any

from ..errors import InvalidParameter

MAX_RESULTS_LIMIT = 50_000


def fingerprint(*parts: Any) -> str:
    """A short digest of the query a token belongs to."""
    blob = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def encode_token(values: list[Any], last_id: str | int, query_fingerprint: str) -> str:
    blob = json.dumps({"v": values, "id": last_id, "q": query_fingerprint}, separators=(",", ":"))
    return base64.urlsafe_b64encode(blob.encode()).decode().rstrip("=")


def decode_token(token: str, query_fingerprint: str, n_values: int) -> tuple[list[Any], Any]:
    """The (sort values, last id) of a token made by ``encode_token`` for the same query."""
    try:
        padded = token + "=" * (-len(token) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, UnicodeError, binascii.Error) as exc:
        raise InvalidParameter("page_token is not a valid page token", field="page_token") from exc
    if (
        not isinstance(data, dict)
        or data.get("q") != query_fingerprint
        or not isinstance(data.get("v"), list)
        or len(data["v"]) != n_values
        or not isinstance(data.get("id"), (str, int))
    ):
        raise InvalidParameter(
            "page_token does not belong to this query (were the filter, order or experiments "
            "changed between pages?)",
            field="page_token",
        )
    return data["v"], data["id"]


def check_max_results(max_results: int) -> None:
    if (
        isinstance(max_results, bool)
        or not isinstance(max_results, int)
        or not 1 <= max_results <= MAX_RESULTS_LIMIT
    ):
        raise InvalidParameter(
            f"max_results must be an integer from 1 to {MAX_RESULTS_LIMIT}, got {max_results!r}",
            field="max_results",
        )
