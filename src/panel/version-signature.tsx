import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { IModelSignature, ISignatureField } from './use-model-files';

function FieldsTable(props: {
  title: string;
  fields: ISignatureField[];
  part: string;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { fields, trans } = props;
  if (fields.length === 0) {
    return null;
  }
  return (
    <table
      className="mlops-KeyValueTable mlops-Signature-table"
      data-part={props.part}
    >
      <caption>{props.title}</caption>
      <tbody>
        {fields.map((field, index) => (
          <tr key={index}>
            <th scope="row">{field.name || trans.__('(unnamed)')}</th>
            <td className="mlops-Code">
              {field.type}
              {field.required ? '' : trans.__(' (optional)')}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A model's signature: its inputs, outputs and parameters with their types. */
export function VersionSignature(props: {
  signature: IModelSignature | null;
  trans: TranslationBundle;
}): JSX.Element {
  const { signature, trans } = props;
  if (!signature) {
    return (
      <p className="mlops-Muted mlops-Signature">
        {trans.__(
          'No signature. Log the model with an input example to record one.'
        )}
      </p>
    );
  }
  return (
    <div className="mlops-Signature">
      <FieldsTable
        title={trans.__('Inputs')}
        part="inputs"
        fields={signature.inputs}
        trans={trans}
      />
      <FieldsTable
        title={trans.__('Outputs')}
        part="outputs"
        fields={signature.outputs}
        trans={trans}
      />
      <FieldsTable
        title={trans.__('Parameters')}
        part="params"
        fields={signature.params}
        trans={trans}
      />
    </div>
  );
}
