"""The explicit client: every tracking operation, addressed by experiment and run id.

The fluent API (``jupyter_mlops.start_run`` and friends) only finds the active run and
calls this. Both transports (direct store, REST) raise the same ``MLOpsError`` subclasses.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from itertools import zip_longest
from pathlib import Path, PurePosixPath
from types import TracebackType
from typing import Any

from ..errors import InvalidParameter
from ..tracking.artifacts import split_artifact_path
from ..tracking.entities import (
    DatasetInput,
    Experiment,
    FileInfo,
    Metric,
    MetricBucket,
    Page,
    Run,
    RunStatus,
    ViewType,
)
from ..tracking.validation import (  # the server's per-request limits; larger inputs are split
    MAX_DATASETS_PER_REQUEST,
    MAX_METRICS_PER_BATCH,
    MAX_MODEL_INPUTS_PER_REQUEST,
    MAX_PARAMS_PER_BATCH,
    MAX_TAGS_PER_BATCH,
)
from .datasets import make_dataset_input
from .downloads import download_tree
from .registry import RegistryClientMethods
from .transport import TrackingTransport
from .uri import open_transport, resolve_tracking_uri

#: Runs fetched per request when paging through a whole search.
SEARCH_PAGE_SIZE = 500


def now_ms() -> int:
    return int(time.time() * 1000)


def _chunks(items: Sequence[Any], size: int) -> list[Sequence[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _artifact_path(*parts: str | None, field: str = "artifact_path") -> str:
    """Join and normalise artifact path parts, refusing what the server would refuse
    (``..``, absolute paths, backslashes) before anything is sent."""
    segments: list[str] = []
    for part in parts:
        if part:
            segments.extend(split_artifact_path(part, field))
    return "/".join(segments)


class MlopsClient(RegistryClientMethods):
    """Tracking client for one store: a jupyter-mlops server (REST) or a database (direct).

    ``tracking_uri`` defaults to ``set_tracking_uri(...)``, then ``JUPYTER_MLOPS_TRACKING_URI``
    (with ``JUPYTER_MLOPS_TOKEN``), then the embedded SQLite store under the Jupyter data dir.
    ``artifact_root`` applies to direct store access only (default
    ``JUPYTER_MLOPS_ARTIFACT_ROOT`` or the server's default root).
    """

    def __init__(
        self,
        tracking_uri: str | None = None,
        token: str | None = None,
        *,
        artifact_root: str | os.PathLike[str] | None = None,
    ) -> None:
        self.tracking_uri, token = resolve_tracking_uri(tracking_uri, token)
        root = Path(artifact_root) if artifact_root is not None else None
        self.transport: TrackingTransport = open_transport(self.tracking_uri, token, root)

    def __repr__(self) -> str:
        return f"MlopsClient({self.tracking_uri!r})"

    def close(self) -> None:
        self.transport.close()

    def __enter__(self) -> MlopsClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- experiments -------------------------------------------------------------------
    def create_experiment(
        self, name: str, description: str = "", tags: Mapping[str, Any] | None = None
    ) -> Experiment:
        """Create an experiment; AlreadyExists if the name is taken (even by a deleted one)."""
        return self.transport.create_experiment(name, description, _strings(tags))

    def get_experiment(self, experiment_id: str) -> Experiment:
        return self.transport.get_experiment(str(experiment_id))

    def get_experiment_by_name(self, name: str) -> Experiment:
        """NotFound if no experiment (active or deleted) has this name."""
        return self.transport.get_experiment_by_name(name)

    def search_experiments(
        self,
        view: ViewType | str = ViewType.ACTIVE_ONLY,
        name_like: str | None = None,
        max_results: int = 100,
        page_token: str | None = None,
    ) -> Page[Experiment]:
        """One page of experiments, newest first; ``name_like`` is a SQL LIKE pattern."""
        return self.transport.search_experiments(
            ViewType(view), name_like=name_like, max_results=max_results, page_token=page_token
        )

    def rename_experiment(self, experiment_id: str, new_name: str) -> Experiment:
        return self.transport.update_experiment(str(experiment_id), name=new_name)

    def update_experiment(
        self,
        experiment_id: str,
        name: str | None = None,
        description: str | None = None,
        tags: Mapping[str, Any] | None = None,
    ) -> Experiment:
        """Rename, re-describe and/or upsert tags."""
        return self.transport.update_experiment(
            str(experiment_id),
            name=name,
            description=description,
            tags=None if tags is None else _strings(tags),
        )

    def set_experiment_tag(self, experiment_id: str, key: str, value: Any) -> Experiment:
        return self.transport.update_experiment(str(experiment_id), tags={key: str(value)})

    def delete_experiment_tag(self, experiment_id: str, key: str) -> None:
        self.transport.delete_experiment_tag(str(experiment_id), key)

    def delete_experiment(self, experiment_id: str) -> None:
        """Soft delete; its runs go with it and come back with restore_experiment."""
        self.transport.delete_experiment(str(experiment_id))

    def restore_experiment(self, experiment_id: str) -> Experiment:
        return self.transport.restore_experiment(str(experiment_id))

    # -- runs ----------------------------------------------------------------------------
    def create_run(
        self,
        experiment_id: str = "0",
        run_name: str | None = None,
        start_time: int | None = None,
        tags: Mapping[str, Any] | None = None,
        parent_run_id: str | None = None,
    ) -> Run:
        """Start a RUNNING run (a name is generated when none is given)."""
        return self.transport.create_run(
            str(experiment_id),
            run_name=run_name,
            start_time=start_time,
            tags=_strings(tags),
            parent_run_id=parent_run_id,
        )

    def get_run(self, run_id: str) -> Run:
        return self.transport.get_run(run_id)

    def update_run(
        self,
        run_id: str,
        status: RunStatus | str | None = None,
        end_time: int | None = None,
        run_name: str | None = None,
    ) -> Run:
        """Change status, end time or name. A terminal status without end_time ends it now;
        RUNNING resumes a finished run."""
        return self.transport.update_run(
            run_id,
            status=None if status is None else RunStatus(status),
            end_time=end_time,
            run_name=run_name,
        )

    def set_terminated(
        self, run_id: str, status: RunStatus | str = RunStatus.FINISHED, end_time: int | None = None
    ) -> Run:
        return self.update_run(run_id, status=status, end_time=end_time or now_ms())

    def delete_run(self, run_id: str) -> None:
        self.transport.delete_run(run_id)

    def restore_run(self, run_id: str) -> Run:
        return self.transport.restore_run(run_id)

    # -- run data ------------------------------------------------------------------------
    def log_batch(
        self,
        run_id: str,
        metrics: Sequence[Metric] = (),
        params: Mapping[str, Any] | None = None,
        tags: Mapping[str, Any] | None = None,
    ) -> None:
        """Write metrics, params and tags, in as few requests as the server limits allow.

        Param and tag values are stringified (``str(value)``), as MLflow does. Each request
        is atomic; a batch split in several requests is not.
        """
        if not isinstance(metrics, (list, tuple)):
            metrics = list(metrics)
        param_map, tag_map = _strings(params), _strings(tags)
        if (
            len(metrics) <= MAX_METRICS_PER_BATCH
            and len(param_map) <= MAX_PARAMS_PER_BATCH
            and len(tag_map) <= MAX_TAGS_PER_BATCH
        ):  # one request, the usual case: the points go as they are, not copied in chunks
            self.transport.log_batch(
                run_id, metrics=metrics, params=param_map or None, tags=tag_map or None
            )
            return
        param_items = list(param_map.items())
        tag_items = list(tag_map.items())
        batches = zip_longest(
            _chunks(metrics, MAX_METRICS_PER_BATCH),
            _chunks(param_items, MAX_PARAMS_PER_BATCH),
            _chunks(tag_items, MAX_TAGS_PER_BATCH),
            fillvalue=(),
        )
        for metric_chunk, param_chunk, tag_chunk in batches:
            self.transport.log_batch(
                run_id,
                metrics=metric_chunk,
                params=dict(param_chunk) or None,
                tags=dict(tag_chunk) or None,
            )

    def log_metric(
        self,
        run_id: str,
        key: str,
        value: float,
        step: int | None = None,
        timestamp: int | None = None,
    ) -> None:
        """Append one point (step 0 and the current time unless given)."""
        self.log_batch(run_id, metrics=[make_metric(key, value, step, timestamp)])

    def log_param(self, run_id: str, key: str, value: Any) -> None:
        """Params are immutable: logging another value for a key raises InvalidParameter."""
        self.log_batch(run_id, params={key: value})

    def set_tag(self, run_id: str, key: str, value: Any) -> None:
        self.log_batch(run_id, tags={key: value})

    def delete_tag(self, run_id: str, key: str) -> None:
        self.transport.delete_run_tag(run_id, key)

    def log_input(
        self,
        run_id: str,
        data: Any = None,
        *,
        name: str,
        digest: str | None = None,
        source: str | None = None,
        schema: str | dict[str, Any] | list[Any] | None = None,
        profile: str | dict[str, Any] | None = None,
        context: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> DatasetInput:
        """Record that the run used a dataset, and return what was recorded.

        ``data`` (a pandas DataFrame or Series, or a numpy array) gives the ``digest`` (a
        hash of its content), ``schema`` and ``profile`` unless they are given; without
        data, give ``digest`` or a ``source`` to hash. ``source`` is a path or URI
        (``s3://bucket/train.csv``); ``context`` says what for ("training", "eval").
        A dataset is one per (name, digest) in the run's experiment: logging it again,
        from this run or another, reuses it. A finished run takes inputs too.
        """
        item = make_dataset_input(
            name,
            data,
            digest=digest,
            source=source,
            schema=schema,
            profile=profile,
            context=context,
            tags=dict(tags or {}),
        )
        self.log_inputs(run_id, datasets=[item])
        return item

    def log_inputs(
        self,
        run_id: str,
        datasets: Sequence[DatasetInput] = (),
        model_ids: Sequence[str] = (),
    ) -> None:
        """Record datasets (see log_input) and logged models (``m-...`` ids) the run used,
        split into requests of the server's limits (each one atomic)."""
        datasets, model_ids = list(datasets), list(model_ids)
        for dataset_chunk, model_chunk in zip_longest(
            _chunks(datasets, MAX_DATASETS_PER_REQUEST),
            _chunks(model_ids, MAX_MODEL_INPUTS_PER_REQUEST),
            fillvalue=(),
        ):
            self.transport.log_inputs(run_id, datasets=dataset_chunk, model_ids=model_chunk)

    def get_metric_history(
        self, run_id: str, key: str, max_points: int | None = None
    ) -> list[Metric] | list[MetricBucket]:
        """Every point of a metric by step; with ``max_points``, at most that many buckets
        (each keeping min and max) when the history is longer."""
        return self.transport.get_metric_history(run_id, key, max_points=max_points)

    # -- search --------------------------------------------------------------------------
    def search_runs(
        self,
        experiment_ids: Sequence[str] = (),
        filter_string: str | None = None,
        view: ViewType | str = ViewType.ACTIVE_ONLY,
        max_results: int = 100,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> Page[Run]:
        """One page of runs (all experiments when ``experiment_ids`` is empty).

        ``filter_string`` and ``order_by`` use MLflow's syntax, e.g.
        ``"metrics.loss < 0.5 and params.lr = '0.01'"`` and ``["metrics.loss ASC"]``.
        """
        return self.transport.search_runs(
            [str(e) for e in experiment_ids],
            filter_string=filter_string,
            view=ViewType(view),
            max_results=max_results,
            order_by=list(order_by) if order_by else None,
            page_token=page_token,
        )

    def iter_runs(
        self,
        experiment_ids: Sequence[str] = (),
        filter_string: str | None = None,
        view: ViewType | str = ViewType.ACTIVE_ONLY,
        order_by: Sequence[str] | None = None,
        max_results: int | None = None,
        page_size: int = SEARCH_PAGE_SIZE,
    ) -> Iterator[Run]:
        """Every matching run (up to ``max_results``), fetched a page at a time."""
        token: str | None = None
        remaining = max_results
        while remaining is None or remaining > 0:
            size = page_size if remaining is None else min(page_size, remaining)
            page = self.search_runs(experiment_ids, filter_string, view, size, order_by, token)
            yield from page.items
            if remaining is not None:
                remaining -= len(page.items)
            token = page.next_page_token
            if token is None or not page.items:
                return

    def count_runs(
        self,
        experiment_ids: Sequence[str] = (),
        filter_string: str | None = None,
        view: ViewType | str = ViewType.ACTIVE_ONLY,
    ) -> int:
        return self.transport.count_runs(
            [str(e) for e in experiment_ids], filter_string=filter_string, view=ViewType(view)
        )

    # -- artifacts -----------------------------------------------------------------------
    def list_artifacts(self, run_id: str, path: str = "") -> list[FileInfo]:
        """Direct children of ``path`` in the run's artifact tree."""
        return self.transport.list_artifacts(run_id, _artifact_path(path, field="path"))

    def log_artifact(
        self, run_id: str, local_path: str | os.PathLike[str], artifact_path: str | None = None
    ) -> FileInfo:
        """Upload one file as ``<artifact_path>/<file name>``."""
        source = Path(local_path)
        if not source.is_file():
            raise InvalidParameter(f"{str(source)!r} is not a file.", field="local_path")
        destination = _artifact_path(artifact_path, source.name)
        return self.transport.upload_artifact(run_id, destination, source)

    def log_artifacts(
        self, run_id: str, local_dir: str | os.PathLike[str], artifact_path: str | None = None
    ) -> list[FileInfo]:
        """Upload the files under ``local_dir`` (recursively) below ``artifact_path``."""
        root = Path(local_dir)
        if not root.is_dir():
            raise InvalidParameter(f"{str(root)!r} is not a directory.", field="local_dir")
        uploaded = []
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            for name in sorted(filenames):
                source = Path(dirpath, name)
                destination = _artifact_path(artifact_path, source.relative_to(root).as_posix())
                uploaded.append(self.transport.upload_artifact(run_id, destination, source))
        return uploaded

    def log_text(self, run_id: str, text: str, artifact_file: str) -> FileInfo:
        """Store ``text`` (UTF-8) as the artifact ``artifact_file``, e.g. "notes/summary.md"."""
        return self._log_bytes(run_id, text.encode("utf-8"), artifact_file)

    def log_dict(self, run_id: str, dictionary: Any, artifact_file: str) -> FileInfo:
        """Store ``dictionary`` as YAML when ``artifact_file`` ends in .yaml/.yml, else JSON."""
        if PurePosixPath(artifact_file).suffix.lower() in (".yaml", ".yml"):
            import yaml

            text = yaml.safe_dump(dictionary, default_flow_style=False, sort_keys=False)
        else:
            text = json.dumps(dictionary, indent=2)
        return self.log_text(run_id, text, artifact_file)

    def log_figure(self, run_id: str, figure: Any, artifact_file: str) -> FileInfo:
        """Store a matplotlib figure (or a plotly figure as .html) as ``artifact_file``.

        The image format follows the extension (png, svg, pdf, ...).
        """
        destination = _artifact_path(artifact_file, field="artifact_file")
        suffix = PurePosixPath(destination).suffix.lower()
        if not destination:
            raise InvalidParameter("artifact_file must name a file.", field="artifact_file")
        with tempfile.TemporaryDirectory(prefix="mlops-figure-") as tmp:
            local = Path(tmp, PurePosixPath(destination).name)
            if suffix == ".html" and hasattr(figure, "write_html"):
                figure.write_html(str(local))
            else:
                _matplotlib_figure(figure).savefig(local, format=suffix.lstrip(".") or "png")
            return self.transport.upload_artifact(run_id, destination, local)

    def _log_bytes(self, run_id: str, data: bytes, artifact_file: str) -> FileInfo:
        destination = _artifact_path(artifact_file, field="artifact_file")
        if not destination:
            raise InvalidParameter("artifact_file must name a file.", field="artifact_file")
        with tempfile.TemporaryDirectory(prefix="mlops-artifact-") as tmp:
            local = Path(tmp, PurePosixPath(destination).name)
            local.write_bytes(data)
            return self.transport.upload_artifact(run_id, destination, local)

    def download_artifacts(
        self, run_id: str, path: str = "", dst_path: str | os.PathLike[str] | None = None
    ) -> Path:
        """Download an artifact file or directory (recursively) and return its local path.

        ``dst_path`` defaults to a new temporary directory; a file lands as
        ``dst_path/<name>``, a directory as ``dst_path/<name>/...`` (the whole tree for "").
        """
        dst = Path(dst_path) if dst_path is not None else Path(tempfile.mkdtemp(prefix="mlops-"))
        return download_tree(
            lambda folder: self.list_artifacts(run_id, folder),
            lambda file, local: self.transport.download_artifact(run_id, file, local),
            _artifact_path(path, field="path"),
            dst,
            f"Run {run_id}",
        )


def make_metric(
    key: str, value: Any, step: int | None = None, timestamp: int | None = None
) -> Metric:
    """A metric point with MLflow's defaults (step 0, now), rejecting non-numbers early."""
    # Exact-type checks first: this runs for every log_metric call, and a float value with
    # an int (or no) step is nearly every call. Anything else takes the general checks.
    if (type(key) is not str and not isinstance(key, str)) or not key:
        raise InvalidParameter("A metric key must be a non-empty string.", field="key")
    if type(value) is not float:
        if isinstance(value, (str, bytes)) or not _is_real(value):
            raise InvalidParameter(
                f"Metric {key!r}: value must be a real number, got {value!r}.", field="value"
            )
        value = float(value)
    if step is None:
        step = 0
    elif type(step) is not int:
        if isinstance(step, bool) or not _is_int(step):
            raise InvalidParameter(f"Metric {key!r}: step must be an integer.", field="step")
        step = int(step)
    if timestamp is None:
        timestamp = int(time.time() * 1000)
    elif type(timestamp) is not int:
        timestamp = int(timestamp)
    return Metric(key, value, timestamp, step)


def _is_real(value: Any) -> bool:
    # Duck-typed: numpy and torch scalars are not always numbers.Real, but convert.
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def _is_int(value: Any) -> bool:
    try:
        return int(value) == value
    except (TypeError, ValueError):
        return False


def _strings(values: Mapping[str, Any] | None) -> dict[str, str]:
    if not values:
        return {}
    return {str(k): str(v) for k, v in values.items()}


def _matplotlib_figure(figure: Any) -> Any:
    try:
        from matplotlib.figure import Figure
    except ImportError as err:
        raise ImportError(
            "log_figure needs matplotlib for this figure: pip install matplotlib"
        ) from err
    if not isinstance(figure, Figure):
        raise InvalidParameter(
            f"log_figure takes a matplotlib Figure (or a plotly figure with an .html name), "
            f"got {type(figure).__name__}.",
            field="figure",
        )
    return figure
