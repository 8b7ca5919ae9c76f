"""Model signatures in MLflow's JSON form: what a model takes, returns and accepts as params.

The MLmodel file stores a signature as three JSON strings (``inputs``, ``outputs``,
``params``). Inputs and outputs are either column specs (``{"type": "double", "name": "x",
"required": true}``, with nested ``array``/``object``/``map``/``any`` types) or tensor specs
(``{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 4]}}``); params are
``{"name", "type", "default", "shape"}``. These classes read and write exactly that form,
so a signature written by MLflow reads here and ours reads in MLflow. Pure: no numpy.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Union

from ..errors import InvalidParameter

#: Scalar column types, in MLflow's names.
DATA_TYPES = ("boolean", "integer", "long", "float", "double", "string", "binary", "datetime")

#: numpy dtype name of each scalar type (strings and bytes are object columns in pandas).
NUMPY_DTYPES = {
    "boolean": "bool",
    "integer": "int32",
    "long": "int64",
    "float": "float32",
    "double": "float64",
    "string": "object",
    "binary": "object",
    "datetime": "datetime64[ns]",
}


@dataclass(frozen=True)
class ArrayType:
    items: ColumnType

    def to_dict(self) -> dict[str, Any]:
        return {"type": "array", "items": type_to_dict(self.items)}

    def __str__(self) -> str:
        return f"array<{type_name(self.items)}>"


@dataclass(frozen=True)
class Property:
    name: str
    dtype: ColumnType
    required: bool = True


@dataclass(frozen=True)
class ObjectType:
    properties: tuple[Property, ...]

    def to_dict(self) -> dict[str, Any]:
        props = {}
        for prop in sorted(self.properties, key=lambda p: p.name):
            props[prop.name] = {**type_to_dict(prop.dtype), "required": prop.required}
        return {"type": "object", "properties": props}

    def __str__(self) -> str:
        inner = ", ".join(f"{p.name}: {type_name(p.dtype)}" for p in self.properties)
        return "{" + inner + "}"


@dataclass(frozen=True)
class MapType:
    values: ColumnType

    def to_dict(self) -> dict[str, Any]:
        return {"type": "map", "values": type_to_dict(self.values)}

    def __str__(self) -> str:
        return f"map<string, {type_name(self.values)}>"


@dataclass(frozen=True)
class AnyType:
    def to_dict(self) -> dict[str, Any]:
        return {"type": "any"}

    def __str__(self) -> str:
        return "any"


#: A column's type: a scalar type name (see DATA_TYPES) or a nested type.
ColumnType = Union[str, ArrayType, ObjectType, MapType, AnyType]  # noqa: UP007 (a runtime alias on 3.10)


def type_name(dtype: ColumnType) -> str:
    return dtype if isinstance(dtype, str) else str(dtype)


def type_to_dict(dtype: ColumnType) -> dict[str, Any]:
    return {"type": dtype} if isinstance(dtype, str) else dtype.to_dict()


def type_from_dict(document: Any, where: str) -> ColumnType:
    if not isinstance(document, dict) or not isinstance(document.get("type"), str):
        raise InvalidParameter(f"{where}: a type needs a 'type' string", field="signature")
    kind = document["type"]
    if kind in DATA_TYPES:
        return str(kind)
    if kind == "array":
        return ArrayType(type_from_dict(document.get("items"), f"{where}.items"))
    if kind == "map":
        return MapType(type_from_dict(document.get("values"), f"{where}.values"))
    if kind == "any":
        return AnyType()
    if kind == "object":
        props = document.get("properties")
        if not isinstance(props, dict) or not props:
            raise InvalidParameter(f"{where}: an object needs properties", field="signature")
        return ObjectType(
            tuple(
                Property(
                    str(name),
                    type_from_dict(spec, f"{where}.{name}"),
                    bool(spec.get("required", True)),
                )
                for name, spec in props.items()
            )
        )
    raise InvalidParameter(f"{where}: unknown type {kind!r}", field="signature")


@dataclass(frozen=True)
class ColSpec:
    """One column of a tabular input or output."""

    type: ColumnType
    name: str | None = None
    required: bool = True

    def to_dict(self) -> dict[str, Any]:
        document = type_to_dict(self.type)
        if self.name is not None:
            document["name"] = self.name
        document["required"] = self.required
        return document

    def describe(self) -> str:
        label = f"{self.name!r}: " if self.name is not None else ""
        return f"{label}{type_name(self.type)}{'' if self.required else ' (optional)'}"


@dataclass(frozen=True)
class TensorSpec:
    """An n-dimensional array: numpy dtype name and shape (-1 for any size)."""

    dtype: str
    shape: tuple[int, ...]
    name: str | None = None

    def to_dict(self) -> dict[str, Any]:
        document: dict[str, Any] = {}
        if self.name is not None:
            document["name"] = self.name
        document["type"] = "tensor"
        document["tensor-spec"] = {"dtype": self.dtype, "shape": list(self.shape)}
        return document

    def describe(self) -> str:
        label = f"{self.name!r}: " if self.name is not None else ""
        return f"{label}tensor<{self.dtype}, shape {list(self.shape)}>"


@dataclass(frozen=True)
class Schema:
    """Column specs or tensor specs (never both), all named or all unnamed."""

    inputs: tuple[ColSpec, ...] | tuple[TensorSpec, ...]

    def __post_init__(self) -> None:
        if not self.inputs:
            raise InvalidParameter("A schema needs at least one column", field="signature")
        kinds = {type(spec) for spec in self.inputs}
        if len(kinds) > 1:
            raise InvalidParameter("A schema mixes columns and tensors", field="signature")
        named = {spec.name is not None for spec in self.inputs}
        if len(named) > 1:
            raise InvalidParameter("A schema mixes named and unnamed inputs", field="signature")

    @property
    def is_tensor(self) -> bool:
        return isinstance(self.inputs[0], TensorSpec)

    @property
    def has_names(self) -> bool:
        return self.inputs[0].name is not None

    def names(self) -> list[str]:
        return [spec.name for spec in self.inputs if spec.name is not None]

    def to_list(self) -> list[dict[str, Any]]:
        return [spec.to_dict() for spec in self.inputs]

    def to_json(self) -> str:
        return json.dumps(self.to_list())

    def describe(self) -> str:
        return "[" + ", ".join(spec.describe() for spec in self.inputs) + "]"

    @classmethod
    def from_list(cls, specs: Any, where: str = "signature") -> Schema:
        if not isinstance(specs, list):
            raise InvalidParameter(f"{where} must be a JSON list", field="signature")
        parsed: list[Any] = []
        for index, spec in enumerate(specs):
            label = f"{where}[{index}]"
            if not isinstance(spec, dict):
                raise InvalidParameter(f"{label} must be an object", field="signature")
            name = spec.get("name")
            if spec.get("type") == "tensor":
                info = spec.get("tensor-spec")
                if not isinstance(info, dict) or "dtype" not in info or "shape" not in info:
                    raise InvalidParameter(
                        f"{label}: tensor-spec needs dtype and shape", field="signature"
                    )
                parsed.append(
                    TensorSpec(str(info["dtype"]), tuple(int(d) for d in info["shape"]), name)
                )
            else:
                parsed.append(
                    ColSpec(type_from_dict(spec, label), name, bool(spec.get("required", True)))
                )
        return cls(tuple(parsed))

    @classmethod
    def from_json(cls, text: str, where: str = "signature") -> Schema:
        try:
            document = json.loads(text)
        except json.JSONDecodeError as err:
            raise InvalidParameter(f"{where} is not valid JSON: {err}", field="signature") from err
        return cls.from_list(document, where)


@dataclass(frozen=True)
class ParamSpec:
    """An inference parameter: ``predict(data, params={name: value})``."""

    name: str
    type: str
    default: Any = None
    shape: tuple[int, ...] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "default": self.default,
            "shape": None if self.shape is None else list(self.shape),
            "type": self.type,
        }


@dataclass(frozen=True)
class ParamSchema:
    params: tuple[ParamSpec, ...]

    def to_json(self) -> str:
        return json.dumps([p.to_dict() for p in self.params])

    @classmethod
    def from_json(cls, text: str) -> ParamSchema:
        try:
            document = json.loads(text)
        except json.JSONDecodeError as err:
            raise InvalidParameter(
                f"signature params are not JSON: {err}", field="signature"
            ) from err
        if not isinstance(document, list):
            raise InvalidParameter("signature params must be a JSON list", field="signature")
        specs = []
        for spec in document:
            if not isinstance(spec, dict) or "name" not in spec or "type" not in spec:
                raise InvalidParameter("each param needs a name and a type", field="signature")
            shape = spec.get("shape")
            specs.append(
                ParamSpec(
                    str(spec["name"]),
                    str(spec["type"]),
                    spec.get("default"),
                    None if shape is None else tuple(int(d) for d in shape),
                )
            )
        return cls(tuple(specs))


@dataclass(frozen=True)
class Signature:
    """What a model takes (``inputs``), returns (``outputs``) and accepts as ``params``."""

    inputs: Schema | None = None
    outputs: Schema | None = None
    params: ParamSchema | None = field(default=None)

    def to_dict(self) -> dict[str, Any]:
        """The MLmodel ``signature`` section: each part a JSON string (or null)."""
        return {
            "inputs": None if self.inputs is None else self.inputs.to_json(),
            "outputs": None if self.outputs is None else self.outputs.to_json(),
            "params": None if self.params is None else self.params.to_json(),
        }

    @classmethod
    def from_dict(cls, document: Any) -> Signature:
        if not isinstance(document, dict):
            raise InvalidParameter("signature must be a mapping", field="signature")
        inputs, outputs, params = (document.get(k) for k in ("inputs", "outputs", "params"))
        return cls(
            inputs=Schema.from_json(inputs, "signature.inputs") if inputs else None,
            outputs=Schema.from_json(outputs, "signature.outputs") if outputs else None,
            params=ParamSchema.from_json(params) if params else None,
        )
