"""Describe data as a run's dataset input: a digest of its content, its schema and size.

Runs record which data they used by name and digest; the digest tells two versions of
"train" apart. Given a pandas DataFrame or Series or a numpy array, the digest hashes the
whole content (with column names, dtypes and shape), the schema is MLflow's (column specs
for frames, a tensor spec for arrays) and the profile counts rows and elements, so that
MLflow's client and UI read what ours logs. pandas and numpy stay optional: they are only
touched when such data is given.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from ..errors import InvalidParameter
from ..tracking.entities import DATASET_CONTEXT_TAG, Dataset, DatasetInput

#: Hex digits of the SHA-256 kept as the digest (64 bits; MLflow allows 36 characters).
DIGEST_LENGTH = 16

_SCHEMES = {"http": "http", "https": "http", "s3": "s3", "gs": "gcs", "hf": "hugging_face"}


def make_dataset_input(
    name: str,
    data: Any = None,
    *,
    digest: str | None = None,
    source: str | None = None,
    schema: str | dict[str, Any] | list[Any] | None = None,
    profile: str | dict[str, Any] | None = None,
    context: str | None = None,
    tags: dict[str, str] | None = None,
) -> DatasetInput:
    """A DatasetInput for ``data`` (or for the data that ``source`` names).

    ``digest`` defaults to a hash of ``data``, else of ``source``; one of the three is
    needed. ``schema`` and ``profile`` default to what ``data`` shows; dicts and lists are
    written as JSON. ``context`` ("training", "eval"...) becomes the input's
    ``mlflow.data.context`` tag. The values are checked by the service, as any input is.
    """
    if digest is None:
        if data is not None:
            digest = digest_of(data)
        elif source is not None:
            digest = hashlib.sha256(str(source).encode("utf-8")).hexdigest()[:DIGEST_LENGTH]
        else:
            raise InvalidParameter(
                "digest is required unless data or source is given to compute it from",
                field="digest",
            )
    if data is not None and schema is None:
        schema = schema_of(data)
    if data is not None and profile is None:
        profile = profile_of(data)
    source_type, source_text = source_of(source)
    all_tags = dict(tags or {})
    if context is not None:
        all_tags[DATASET_CONTEXT_TAG] = context
    dataset = Dataset(
        name=name,
        digest=digest,
        source_type=source_type,
        source=source_text,
        schema=_json_text(schema),
        profile=_json_text(profile),
    )
    return DatasetInput(dataset, all_tags)


def source_of(source: str | None) -> tuple[str, str]:
    """(source type, source JSON) in MLflow's terms: ``s3://b/k`` is ``("s3", '{"uri":
    "s3://b/k"}')``, an http(s) URL ``("http", '{"url": ...}')``, a path ``("local",
    '{"uri": ...}')``; no source means the data came from code (``("code", "{}")``)."""
    if source is None:
        return "code", "{}"
    if not isinstance(source, str):
        raise InvalidParameter("source must be a string (a path or URI)", field="source")
    scheme, separator, _rest = source.partition("://")
    if not separator or not scheme.isidentifier():
        return "local", json.dumps({"uri": source})
    kind = _SCHEMES.get(scheme.lower(), scheme.lower())
    member = "url" if kind == "http" else "uri"
    return kind, json.dumps({member: source})


def digest_of(data: Any) -> str:
    """A hash of a DataFrame's, Series' or numpy array's content, names, types and shape.

    The whole content is hashed (a gigabyte takes about a second).
    """
    hasher = hashlib.sha256()
    kind = _kind(data)
    if kind == "pandas":
        import pandas as pd

        try:
            rows = pd.util.hash_pandas_object(data, index=True).to_numpy()
        except TypeError as error:  # cells pandas cannot hash (lists, dicts)
            raise InvalidParameter(
                f"data cannot be hashed ({error}); pass digest=...", field="data"
            ) from None
        if isinstance(data, pd.DataFrame):
            columns, dtypes = list(data.columns), [str(t) for t in data.dtypes]
        else:
            columns, dtypes = [data.name], [str(data.dtype)]
        hasher.update(json.dumps([type(data).__name__, columns, dtypes], default=str).encode())
        hasher.update(rows.tobytes())
    elif kind == "numpy":
        import numpy as np

        if data.dtype.hasobject:
            raise InvalidParameter(
                "data is a numpy array of Python objects, which has no stable bytes to hash; "
                "pass digest=...",
                field="data",
            )
        hasher.update(json.dumps([data.dtype.str, list(data.shape)]).encode())
        hasher.update(np.ascontiguousarray(data).data)
    else:
        raise InvalidParameter(
            f"data must be a pandas DataFrame or Series or a numpy array, got "
            f"{type(data).__name__}; pass digest=... (and source=...) for other data",
            field="data",
        )
    return hasher.hexdigest()[:DIGEST_LENGTH]


def schema_of(data: Any) -> dict[str, Any] | None:
    """MLflow's dataset schema of ``data``: ``{"mlflow_colspec": [...]}`` for frames,
    ``{"mlflow_tensorspec": {"features": ..., "targets": null}}`` for arrays; None when it
    cannot be inferred (a schema is a description, never a reason to refuse the input)."""
    kind = _kind(data)
    if kind is None:
        return None
    from ..models.inference import infer_schema

    try:
        schema = infer_schema(data)
    except (InvalidParameter, TypeError, ValueError):
        return None
    if kind == "numpy":
        return {"mlflow_tensorspec": {"features": schema.to_json(), "targets": None}}
    return {"mlflow_colspec": schema.to_list()}


def profile_of(data: Any) -> dict[str, Any] | None:
    """Rows and elements of a frame, series or array."""
    if _kind(data) is None:
        return None
    shape = tuple(data.shape)
    return {"num_rows": int(shape[0]) if shape else 1, "num_elements": int(data.size)}


def _kind(data: Any) -> str | None:
    """ "pandas", "numpy" or None, without importing either for other data."""
    module = type(data).__module__.partition(".")[0]
    if module == "pandas" and type(data).__name__ in ("DataFrame", "Series"):
        return "pandas"
    if module == "numpy" and type(data).__name__ == "ndarray":
        return "numpy"
    return None


def _json_text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, default=str)
