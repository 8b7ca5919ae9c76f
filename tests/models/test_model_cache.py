"""The server's cache of loaded models: one load per key however many ask at once, and
least recently used models dropped past its size."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from jupyter_mlops.models.scoring.cache import ModelCache


def test_concurrent_requests_load_a_model_once() -> None:
    cache = ModelCache(size=2)
    loads: list[str] = []
    lock = threading.Lock()

    def loader(key: str) -> Any:
        def load() -> Any:
            with lock:
                loads.append(key)
            time.sleep(0.2)  # a slow load: the other requests arrive meanwhile
            return f"model {key}"

        return load

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda i: cache.get("a", loader("a")), range(8)))
    assert results == ["model a"] * 8
    assert loads == ["a"]


def test_least_recently_used_models_are_dropped() -> None:
    cache = ModelCache(size=2)
    for key in ("a", "b"):
        cache.get(key, lambda key=key: f"model {key}")
    cache.get("a", lambda: "reloaded a")  # a is now the most recent
    cache.get("c", lambda: "model c")
    assert "a" in cache and "c" in cache and "b" not in cache
    assert cache.get("a", lambda: "reloaded a") == "model a"
