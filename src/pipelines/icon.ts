import { LabIcon } from '@jupyterlab/ui-components';

// Three boxes joined as a small DAG.
const PIPELINE_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <path d="M9 2h6v5H9zM3 16h6v5H3zm12 0h6v5h-6zM11.25 7h1.5v3.25H18V16h-1.5v-4.25h-9V16H6v-5.75h5.25z"/>
  </g>
</svg>`;

export const pipelineIcon = new LabIcon({
  name: 'jupyter-mlops:pipeline',
  svgstr: PIPELINE_SVG
});
