"""Codecs: how a service's return value becomes JSON, and how a client reads it back.

An operation's declaration names its result's codec (``x-mlops.result.codec``); the
server encodes with it, the Python REST client decodes with it. One table, so that a new
entity is wired once. The functions live with their domain's wire format and are imported
on first use: a notebook that only logs metrics never imports the pipeline server's code.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from typing import Any

Converter = Callable[[Any], Any]

#: name -> (encoder on the server, decoder in the Python client); "" is the identity.
_TABLE: dict[str, tuple[str, str]] = {
    "experiment": (
        "jupyter_mlops.server.serialization:experiment_json",
        "jupyter_mlops.client.wire:experiment_from_json",
    ),
    "run": (
        "jupyter_mlops.server.serialization:run_json",
        "jupyter_mlops.client.wire:run_from_json",
    ),
    "run_metric_history": ("jupyter_mlops.server.serialization:run_metric_history_json", ""),
    "file_info": (
        "jupyter_mlops.server.serialization:file_info_json",
        "jupyter_mlops.client.wire:file_info_from_json",
    ),
    "registered_model": (
        "jupyter_mlops.registry.wire:registered_model_json",
        "jupyter_mlops.registry.wire:registered_model_from_json",
    ),
    "model_version": (
        "jupyter_mlops.registry.wire:model_version_json",
        "jupyter_mlops.registry.wire:model_version_from_json",
    ),
    "logged_model": (
        "jupyter_mlops.registry.wire:logged_model_json",
        "jupyter_mlops.registry.wire:logged_model_from_json",
    ),
    "model_location": (
        "jupyter_mlops.registry.wire:model_location_json",
        "jupyter_mlops.registry.wire:model_location_from_json",
    ),
    "api_token": ("jupyter_mlops.auth.wire:token_json", ""),
    "issued_api_token": ("jupyter_mlops.auth.wire:issued_token_json", ""),
    # Pipelines: the Python client works with the JSON itself (dicts). Listings leave
    # the specs out (``_summary``).
    "pipeline_run": ("jupyter_mlops.pipelines.spec.wire:pipeline_run_json", ""),
    "pipeline_run_summary": ("jupyter_mlops.pipelines.spec.wire:pipeline_run_summary_json", ""),
    "pipeline": ("jupyter_mlops.pipelines.spec.wire:pipeline_json", ""),
    "pipeline_summary": ("jupyter_mlops.pipelines.spec.wire:pipeline_summary_json", ""),
    "pipeline_schedule": ("jupyter_mlops.pipelines.spec.wire:schedule_json", ""),
    # Notebook servers as their caller sees them (url, openable); the client reads dicts.
    "notebook_server": ("jupyter_mlops.notebooks.wire:view_json", ""),
    "notebook_server_progress": ("jupyter_mlops.notebooks.wire:progress_json", ""),
}


#: Argument codecs: name -> (the server's parser of a body member, taking the value and
#: the member's name for its errors; the client's writer of the argument as JSON).
_ARGUMENTS: dict[str, tuple[str, str]] = {
    "metrics": (
        "jupyter_mlops.server.serialization:metrics_from_json",
        "jupyter_mlops.client.wire:metrics_to_json",
    ),
    "dataset_inputs": (
        "jupyter_mlops.server.serialization:dataset_inputs_from_json",
        "jupyter_mlops.client.wire:dataset_inputs_to_json",
    ),
    "model_refs": (
        "jupyter_mlops.server.serialization:model_ids_from_json",
        "jupyter_mlops.client.wire:model_refs_to_json",
    ),
}


def names() -> frozenset[str]:
    return frozenset(_TABLE)


def argument_names() -> frozenset[str]:
    return frozenset(_ARGUMENTS)


@functools.cache
def argument_parser(name: str) -> Callable[[Any, str], Any]:
    """How the server reads an entity argument from its JSON (value, member name)."""
    parser: Callable[[Any, str], Any] = _load(_ARGUMENTS[name][0])
    return parser


@functools.cache
def argument_writer(name: str) -> Converter:
    """How the client writes an entity argument as JSON."""
    return _load(_ARGUMENTS[name][1])


@functools.cache
def encoder(name: str | None) -> Converter:
    """How the server writes a value of this codec (the identity for None)."""
    return _load(_TABLE[name][0]) if name else _identity


@functools.cache
def decoder(name: str | None) -> Converter:
    """How the Python client reads a value of this codec back (the identity for None)."""
    return _load(_TABLE[name][1]) if name else _identity


def _identity(value: Any) -> Any:
    return value


def _load(target: str) -> Any:
    if not target:
        return _identity
    module, _, attribute = target.partition(":")
    return getattr(importlib.import_module(module), attribute)
