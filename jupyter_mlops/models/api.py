"""``save_model``, ``log_model`` and ``load_model``: models in MLflow's MLmodel format,
written and read without MLflow installed."""

from __future__ import annotations

import contextlib
import logging
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import __version__
from ..errors import InvalidParameter
from ..tracking.artifacts import split_artifact_path
from .environment import requirements_for, write_environment
from .examples import save_example
from .flavors import Flavor, flavor_for, load_native, load_predictor
from .inference import infer_params, infer_schema
from .mlmodel import MLModel
from .pyfunc_model import PyFuncModel
from .registration import register_model
from .schema import Signature
from .storage import upload_logged_model
from .uris import download_model

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ModelInfo:
    """Where a logged model went and what it is."""

    model_uri: str
    run_id: str | None
    artifact_path: str
    flavors: dict[str, dict[str, Any]]
    signature: Signature | None
    model_id: str | None = None
    registered_model_name: str | None = None
    registered_model_version: str | None = None


def _split_example(input_example: Any) -> tuple[Any, dict[str, Any] | None]:
    """MLflow's ``(data, params)`` example form, or just data."""
    if (
        isinstance(input_example, tuple)
        and len(input_example) == 2
        and isinstance(input_example[1], Mapping)
    ):
        return input_example[0], dict(input_example[1])
    return input_example, None


def _folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _chosen_flavor(
    model: Any, flavor: str | None, artifacts: Mapping[str, str] | None, predict_fn: str
) -> Flavor:
    """The flavour that saves ``model``, once the options are known to suit it."""
    chosen = flavor_for(model, flavor)
    if artifacts and chosen.name != "python_function":
        raise InvalidParameter(
            f"artifacts travel with custom python models only, not a {chosen.name} model",
            field="artifacts",
        )
    if predict_fn != "predict" and chosen.name != "sklearn":
        raise InvalidParameter(
            "pyfunc_predict_fn applies to scikit-learn models only", field="pyfunc_predict_fn"
        )
    return chosen


def save_model(
    model: Any,
    path: str | Path,
    *,
    input_example: Any = None,
    signature: Signature | None = None,
    flavor: str | None = None,
    pip_requirements: Sequence[str] | None = None,
    extra_pip_requirements: Sequence[str] | None = None,
    metadata: Mapping[str, Any] | None = None,
    artifacts: Mapping[str, str] | None = None,
    pyfunc_predict_fn: str = "predict",
    run_id: str | None = None,
    artifact_path: str | None = None,
    model_id: str | None = None,
) -> MLModel:
    """Save ``model`` into the new folder ``path`` in the MLmodel format.

    The flavour follows the object (a scikit-learn estimator, a torch module, a
    ``PythonModel`` or anything with ``predict``), or ``flavor`` names it. With an
    ``input_example`` (a DataFrame, an array, a dict or a list; or ``(data, params)``) and
    no ``signature``, the signature is inferred from the example and from the model's
    prediction on it. ``artifacts`` (name -> local file) travel with a custom model.
    """
    chosen = _chosen_flavor(model, flavor, artifacts, pyfunc_predict_fn)
    folder = Path(path)
    if folder.exists() and any(folder.iterdir()):
        raise InvalidParameter(f"{folder} exists and is not empty", field="path")
    folder.mkdir(parents=True, exist_ok=True)
    mlmodel = MLModel(
        run_id=run_id,
        artifact_path=artifact_path,
        model_id=model_id,
        metadata=dict(metadata) if metadata else None,
        extra={"jupyter_mlops_version": __version__},
    )
    try:
        distributions = chosen.save(
            model, folder, mlmodel, predict_fn=pyfunc_predict_fn, artifacts=artifacts
        )
        example, example_params = _split_example(input_example)
        if example is not None:
            mlmodel.saved_input_example_info = save_example(folder, example)
            if signature is None:
                signature = _infer(folder, mlmodel, example, example_params)
        mlmodel.signature = signature
        requirements = requirements_for(distributions, pip_requirements, extra_pip_requirements)
        write_environment(folder, requirements)
        mlmodel.save(folder)
        mlmodel.model_size_bytes = _folder_size(folder)
        mlmodel.save(folder)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return mlmodel


def _infer(
    folder: Path, mlmodel: MLModel, example: Any, params: dict[str, Any] | None
) -> Signature:
    inputs = infer_schema(example)
    param_schema = infer_params(params) if params else None
    outputs = None
    try:
        predictor = load_predictor(folder, mlmodel)
        prediction = (
            predictor.predict(example, params=params) if params else predictor.predict(example)
        )
        outputs = infer_schema(prediction)
    except Exception as err:  # the input schema stands on its own; say why outputs are absent
        log.info("jupyter-mlops: no output schema: predicting the input example failed: %s", err)
    return Signature(inputs=inputs, outputs=outputs, params=param_schema)


def load_model(
    model_uri: str,
    *,
    dst_path: str | Path | None = None,
    tracking_uri: str | None = None,
    client: Any = None,
) -> PyFuncModel:
    """Load a model as a ``PyFuncModel`` (``predict`` enforces the signature).

    ``model_uri``: ``models:/name@alias``, ``models:/name/3``, ``models:/m-<id>``,
    ``runs:/<run_id>/<path>`` or a local folder. Remote models are downloaded into
    ``dst_path`` (default: a new temporary folder) from ``tracking_uri`` (default: the
    current tracking URI; or through ``client``, an ``MlopsClient``). Models written by
    MLflow load too (sklearn, pytorch, our custom models; other loaders when their package
    is installed).
    """
    folder, mlmodel = _fetch(model_uri, dst_path, tracking_uri, client)
    return PyFuncModel(mlmodel, load_predictor(folder, mlmodel), folder)


def load_native_model(
    model_uri: str,
    *,
    flavor: str | None = None,
    dst_path: str | Path | None = None,
    tracking_uri: str | None = None,
) -> Any:
    """The model object itself (the estimator, the torch module, the custom model)."""
    folder, mlmodel = _fetch(model_uri, dst_path, tracking_uri, None)
    return load_native(folder, mlmodel, flavor)


def _fetch(
    model_uri: str, dst_path: str | Path | None, tracking_uri: str | None, client: Any
) -> tuple[Path, MLModel]:
    if client is None and tracking_uri is not None:
        from ..client import MlopsClient

        client = MlopsClient(tracking_uri)
    folder, _ = download_model(model_uri, client, dst_path)
    return folder, MLModel.load(folder)


def log_model(
    model: Any,
    name: str,
    input_example: Any = None,
    registered_model_name: str | None = None,
    *,
    signature: Signature | None = None,
    flavor: str | None = None,
    pip_requirements: Sequence[str] | None = None,
    extra_pip_requirements: Sequence[str] | None = None,
    metadata: Mapping[str, Any] | None = None,
    artifacts: Mapping[str, str] | None = None,
    pyfunc_predict_fn: str = "predict",
) -> ModelInfo:
    """Log ``model`` as an MLflow 3 logged model of the active run (a run is started when
    none is active, as for every logging call) and return where it went.

    The files go to the logged model's own folder in the artifact store
    (``<experiment>/models/<model_id>/artifacts``); the model URI is
    ``models:/<model_id>``, and ``runs:/<run_id>/<name>`` finds it too. With
    ``registered_model_name``, a version of that registered model is created from it (the
    registered model first if it is new). See ``save_model`` for the other arguments.
    """
    from ..client import fluent
    from ..registry.entities import LoggedModelStatus

    segments = split_artifact_path(name, field="name")
    if len(segments) != 1:
        raise InvalidParameter("name must be one folder name, e.g. 'model'", field="name")
    # Like every logging call: the active run, or a new one (ended by end_run).
    active = fluent.active_run() or fluent.start_run()
    client = active.client
    logged = client.create_logged_model(
        active.info.experiment_id,
        segments[0],
        source_run_id=active.run_id,
        model_type=_chosen_flavor(model, flavor, artifacts, pyfunc_predict_fn).name,
    )
    try:
        with tempfile.TemporaryDirectory(prefix="mlops-model-") as tmp:
            local = Path(tmp) / segments[0]
            mlmodel = save_model(
                model,
                local,
                input_example=input_example,
                signature=signature,
                flavor=flavor,
                pip_requirements=pip_requirements,
                extra_pip_requirements=extra_pip_requirements,
                metadata=metadata,
                artifacts=artifacts,
                pyfunc_predict_fn=pyfunc_predict_fn,
                run_id=active.run_id,
                artifact_path=segments[0],
                model_id=logged.model_id,
            )
            upload_logged_model(client, logged.model_id, local)
    except BaseException as err:
        with contextlib.suppress(Exception):  # the original error is the one to see
            client.finalize_logged_model(
                logged.model_id, LoggedModelStatus.FAILED.value, f"{type(err).__name__}: {err}"
            )
        raise
    client.finalize_logged_model(logged.model_id, LoggedModelStatus.READY.value)
    model_uri = f"models:/{logged.model_id}"
    version = None
    if registered_model_name is not None:
        version = register_model(
            client, registered_model_name, model_uri, active.run_id, logged.model_id
        )
    return ModelInfo(
        model_uri=model_uri,
        run_id=active.run_id,
        artifact_path=segments[0],
        flavors=mlmodel.flavors,
        signature=mlmodel.signature,
        model_id=logged.model_id,
        registered_model_name=registered_model_name,
        registered_model_version=version,
    )
