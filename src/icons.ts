import { LabIcon } from '@jupyterlab/ui-components';

// A laboratory flask with a rising line: experiments and their metrics.
// `jp-icon3` lets the theme choose the colour.
const MLOPS_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <path d="M9 2h6v2h-1v5.2l5.6 9.7A2 2 0 0 1 17.9 22H6.1a2 2 0 0 1-1.7-3.1L10 9.2V4H9V2zm3 8.1-2.6 4.4h5.2L12 10.1z"/>
  </g>
</svg>`;

export const mlopsIcon = new LabIcon({
  name: 'jupyter-mlops:mlops',
  svgstr: MLOPS_SVG
});
