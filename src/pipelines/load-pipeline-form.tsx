import * as React from 'react';

/** Load the pipelines of a file (.py or .ipynb) by its path. */
export function LoadPipelineForm(props: {
  onLoad: (path: string) => Promise<void>;
}): JSX.Element {
  const [path, setPath] = React.useState('');
  return (
    <form
      className="jp-mlops-load-pipeline"
      onSubmit={e => {
        e.preventDefault();
        void props.onLoad(path);
      }}
    >
      <input
        placeholder="pipeline file (.py or .ipynb)"
        aria-label="Pipeline file"
        value={path}
        onChange={e => setPath(e.target.value)}
      />
      <button type="submit" className="jp-mlops-button jp-mlops-load">
        Load
      </button>
    </form>
  );
}
