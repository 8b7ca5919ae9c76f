"""Loaded models kept in memory, keyed by what identifies their files (a registered
model version and its storage folder), so repeated predictions skip loading.

Thread-safe; a model is loaded once even when several requests ask for it at the same
time (they wait for the first). Least recently used models are dropped past ``size``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from ..pyfunc_model import PyFuncModel


class ModelCache:
    def __init__(self, size: int = 8) -> None:
        self.size = size
        self._models: OrderedDict[Hashable, PyFuncModel] = OrderedDict()
        self._lock = threading.Lock()
        self._loading: dict[Hashable, threading.Lock] = {}

    def get(self, key: Hashable, load: Callable[[], PyFuncModel]) -> PyFuncModel:
        """The model under ``key``, calling ``load()`` (blocking) when it is not cached."""
        with self._lock:
            model = self._models.get(key)
            if model is not None:
                self._models.move_to_end(key)
                return model
            key_lock = self._loading.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                model = self._models.get(key)
            if model is None:
                model = load()  # outside the cache lock: other keys stay served meanwhile
                with self._lock:
                    self._models[key] = model
                    while len(self._models) > self.size:
                        self._models.popitem(last=False)
            with self._lock:
                self._loading.pop(key, None)
            return model

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._models
