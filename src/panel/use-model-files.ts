import { load } from 'js-yaml';
import * as React from 'react';

import type { TrackingApi } from '../api';
import type {
  IModelLocation,
  IModelVersion,
  RegistryApi
} from './registry-api';

/** One input, output or parameter of a model's signature. */
export interface ISignatureField {
  /** Empty for an unnamed column or tensor. */
  name: string;
  /** e.g. `double`, `string`, `tensor float64 (-1, 4)`. */
  type: string;
  required: boolean;
}

/** A model's signature: what it takes, what it returns, its parameters. */
export interface IModelSignature {
  inputs: ISignatureField[];
  outputs: ISignatureField[];
  params: ISignatureField[];
}

/** What a model's MLmodel file says about it. */
export interface IModelCard {
  flavors: string[];
  signature: IModelSignature | null;
  /** The input example's file, relative to the model's folder. */
  exampleFile: string | null;
}

/** What the model page shows of a version's files. */
export interface IModelFiles {
  card: IModelCard | null;
  /** The input example, parsed (JSON), or null without one. */
  example: unknown;
  /** Why the files could not be read (e.g. they are not on this server). */
  problem: string | null;
}

function record(value: unknown): Record<string, unknown> | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

function describeType(spec: Record<string, unknown>): string {
  const tensor = record(spec['tensor-spec']);
  if (spec.type === 'tensor' && tensor) {
    const shape = Array.isArray(tensor.shape)
      ? ` (${tensor.shape.join(', ')})`
      : '';
    return `tensor ${String(tensor.dtype ?? '?')}${shape}`;
  }
  if (typeof spec.type === 'string') {
    return spec.type;
  }
  // Arrays and objects (MLflow 2.10+) nest their types: show them as JSON.
  return JSON.stringify(spec.type ?? spec);
}

/**
 * The fields of one part of a signature, which MLmodel keeps as a JSON string
 * (`'[{"type": "double", "name": "x", "required": true}]'`).
 */
export function signatureFields(part: unknown): ISignatureField[] {
  let specs: unknown = part;
  if (typeof part === 'string') {
    try {
      specs = JSON.parse(part);
    } catch {
      return [];
    }
  }
  if (!Array.isArray(specs)) {
    return [];
  }
  return specs.flatMap(item => {
    const spec = record(item);
    if (!spec) {
      return [];
    }
    return [
      {
        name: typeof spec.name === 'string' ? spec.name : '',
        type: describeType(spec),
        required: spec.required !== false
      }
    ];
  });
}

/**
 * Read an MLmodel file (YAML, as MLflow and `jupyter_mlops.log_model` write
 * it); throws on text that is not YAML.
 */
export function parseModelCard(text: string): IModelCard {
  const document = record(load(text)) ?? {};
  const flavors = Object.keys(record(document.flavors) ?? {}).sort();
  const signature = record(document.signature);
  const example = record(document.saved_input_example_info);
  return {
    flavors,
    signature: signature
      ? {
          inputs: signatureFields(signature.inputs),
          outputs: signatureFields(signature.outputs),
          params: signatureFields(signature.params)
        }
      : null,
    exampleFile:
      example && typeof example.artifact_path === 'string'
        ? example.artifact_path
        : null
  };
}

/** How to read one file of a version's model folder, or why it cannot be. */
export type ModelFileReader =
  { read: (path: string) => Promise<string> } | { problem: string };

/**
 * Where a version's files are readable over the API: the logged model's own
 * files (MLflow 3, `models:/m-...`), else the source run's artifacts (a
 * `runs:/<run>/<path>` source, or a folder inside the run's artifacts).
 */
export function modelFileReader(
  registry: RegistryApi,
  tracking: TrackingApi,
  version: IModelVersion,
  location: IModelLocation
): ModelFileReader {
  const join = (folder: string, path: string) =>
    folder ? `${folder.replace(/\/+$/, '')}/${path}` : path;
  const logged = location.logged_model;
  if (logged) {
    return {
      read: path => registry.fetchLoggedModelText(logged.model_id, path)
    };
  }
  const runId = location.run_id ?? version.run_id;
  if (runId) {
    let folder: string | null = null;
    const source = /^runs:\/([^/]+)\/?(.*)$/.exec(version.source);
    if (source && source[1] === runId) {
      folder = source[2];
    } else {
      const marker = `/${runId}/artifacts`;
      const at = location.storage_location.indexOf(marker);
      if (at >= 0) {
        folder = location.storage_location
          .slice(at + marker.length)
          .replace(/^\/+/, '');
      }
    }
    if (folder !== null) {
      const inRun = folder;
      return {
        read: async path =>
          (await tracking.fetchArtifact(runId, join(inRun, path))).text()
      };
    }
  }
  return {
    problem: `The files of ${version.source} are not in this server's artifact store.`
  };
}

/** Parse an input example file: JSON, as MLflow saves it. */
export function parseExample(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * The signature, input example and flavors of one version, read from its
 * MLmodel file over the REST API (the registry keeps no copy of them).
 */
export function useModelFiles(
  registry: RegistryApi,
  tracking: TrackingApi,
  version: IModelVersion | null
): IModelFiles | null {
  const [files, setFiles] = React.useState<IModelFiles | null>(null);
  const name = version?.name;
  const number = version?.version;
  React.useEffect(() => {
    setFiles(null);
    if (!version) {
      return;
    }
    let cancelled = false;
    const read = async (): Promise<IModelFiles> => {
      const location = await registry.locateModel(
        `models:/${version.name}/${version.version}`
      );
      const reader = modelFileReader(registry, tracking, version, location);
      if ('problem' in reader) {
        return { card: null, example: null, problem: reader.problem };
      }
      let text: string;
      try {
        text = await reader.read('MLmodel');
      } catch {
        return {
          card: null,
          example: null,
          problem: 'This version has no MLmodel file.'
        };
      }
      const card = parseModelCard(text);
      const example = card.exampleFile
        ? parseExample(await reader.read(card.exampleFile))
        : null;
      return { card, example, problem: null };
    };
    read()
      .catch((reason: unknown): IModelFiles => ({
        card: null,
        example: null,
        problem: reason instanceof Error ? reason.message : String(reason)
      }))
      .then(found => {
        if (!cancelled) {
          setFiles(found);
        }
      });
    return () => {
      cancelled = true;
    };
  }, [registry, tracking, name, number]);
  return files;
}
