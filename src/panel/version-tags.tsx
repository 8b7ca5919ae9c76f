import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { IModelVersion } from './registry-api';
import { TagsEditor } from './tags-editor';
import { VersionSelect } from './version-select';

export interface IVersionTagsProps {
  versions: IModelVersion[];
  onSet: (version: string, key: string, value: string) => Promise<void>;
  onDelete: (version: string, key: string) => Promise<void>;
  trans: TranslationBundle;
}

/** The tags of one version of a model, the version chosen from a list. */
export function VersionTags(props: IVersionTagsProps): JSX.Element | null {
  const { versions, trans } = props;
  // Whose tags the editor shows: the chosen version, else the newest.
  const [tagsVersion, setTagsVersion] = React.useState('');
  const shown =
    versions.find(v => v.version === tagsVersion) ?? versions[0] ?? null;
  if (!shown) {
    return null;
  }
  return (
    <section className="mlops-ModelDetail-versionTags">
      <VersionSelect
        versions={versions}
        value={shown.version}
        onChange={setTagsVersion}
        label={trans.__('Tags of version')}
        ariaLabel={trans.__('Version whose tags to show')}
        className="mlops-VersionTags-select"
      />
      <TagsEditor
        tags={shown.tags ?? {}}
        onSet={(key, value) => props.onSet(shown.version, key, value)}
        onDelete={key => props.onDelete(shown.version, key)}
        trans={trans}
      />
    </section>
  );
}
