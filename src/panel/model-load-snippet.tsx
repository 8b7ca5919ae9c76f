import { Clipboard } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { Button } from '@jupyterlab/ui-components';
import * as React from 'react';

import type { IModelVersion, IRegisteredModel } from './registry-api';

/** The alias a snippet prefers, when the model has it. */
const PREFERRED_ALIASES = ['champion', 'production', 'prod'];

/**
 * The URI that loads the model as people deploy it: by alias (the preferred
 * one, else the first by name), else by its newest version; null without
 * versions.
 */
export function modelLoadUri(
  model: IRegisteredModel,
  versions: readonly IModelVersion[]
): string | null {
  const aliases = Object.keys(model.aliases ?? {}).sort((a, b) =>
    a.localeCompare(b)
  );
  const alias =
    PREFERRED_ALIASES.find(a => aliases.includes(a)) ?? aliases[0] ?? null;
  if (alias !== null) {
    return `models:/${model.name}@${alias}`;
  }
  const newest = versions.reduce<IModelVersion | null>(
    (best, v) =>
      best === null || Number(v.version) > Number(best.version) ? v : best,
    null
  );
  return newest ? `models:/${model.name}/${newest.version}` : null;
}

/** Python that loads the model at `uri`, with our API and with MLflow's. */
export function modelLoadSnippet(uri: string): string {
  // A JSON string is a valid Python string literal (quotes and backslashes escaped).
  const literal = JSON.stringify(uri);
  return [
    'import jupyter_mlops as mlops',
    '',
    `model = mlops.load_model(${literal})`,
    '# or, with MLflow:',
    '# import mlflow',
    `# model = mlflow.pyfunc.load_model(${literal})`
  ].join('\n');
}

export interface IModelLoadSnippetProps {
  model: IRegisteredModel;
  versions: readonly IModelVersion[];
  trans: TranslationBundle;
}

/** "Load this model": the code to paste in a notebook, and a copy button. */
export function ModelLoadSnippet(
  props: IModelLoadSnippetProps
): JSX.Element | null {
  const { trans } = props;
  const [copied, setCopied] = React.useState(false);
  const uri = modelLoadUri(props.model, props.versions);
  if (uri === null) {
    return null;
  }
  const code = modelLoadSnippet(uri);
  return (
    <section className="mlops-ModelLoad">
      <h3>{trans.__('Load this model')}</h3>
      <pre className="mlops-ModelLoad-code" data-uri={uri}>
        <code>{code}</code>
      </pre>
      <Button
        small
        className="jp-mod-styled jp-mod-reject mlops-ModelLoad-copy"
        onClick={() => {
          Clipboard.copyToSystem(code);
          setCopied(true);
        }}
      >
        {copied ? trans.__('Copied') : trans.__('Copy')}
      </Button>
    </section>
  );
}
