"""The cache key of a step: what it runs, with which inputs, for which outputs.

Modelled on Kubeflow Pipelines' fingerprint (inputs, output spec, image, command): the
sha256 of a canonical JSON of the executor (code or command, image, packages, env), the
input values and the output types. Resources are left out: more memory does not change
the result.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

_IGNORED = ("resources",)


def cache_key(executor: dict[str, Any], inputs: dict[str, Any], outputs: dict[str, str]) -> str:
    document = {
        "executor": {k: v for k, v in executor.items() if k not in _IGNORED},
        "inputs": inputs,
        "outputs": outputs,
    }
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
