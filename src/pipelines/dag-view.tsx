import { stateClass } from './api';
import * as React from 'react';

import { IDagLayout, NODE_HEIGHT, NODE_WIDTH } from './layout';

export interface IDagViewProps {
  layout: IDagLayout;
  selected: string | null;
  onSelect: (stepId: string) => void;
}

/**
 * A run's DAG as SVG: each step a box coloured by its state (class
 * `jp-mlops-step-<state>`), a cloud mark on cached steps.
 */
export function DagView(props: IDagViewProps): JSX.Element {
  const { layout, selected, onSelect } = props;
  return (
    <svg
      className="jp-mlops-dag"
      width={Math.max(layout.width, NODE_WIDTH + 16)}
      height={Math.max(layout.height, NODE_HEIGHT + 16)}
      role="img"
      aria-label="Pipeline graph"
    >
      <defs>
        <marker
          id="jp-mlops-arrow"
          viewBox="0 0 10 10"
          refX="10"
          refY="5"
          markerWidth="6"
          markerHeight="6"
          orient="auto-start-reverse"
        >
          <path d="M 0 0 L 10 5 L 0 10 z" className="jp-mlops-dag-arrow" />
        </marker>
      </defs>
      {layout.edges.map(edge => (
        <polyline
          key={`${edge.from}->${edge.to}`}
          className="jp-mlops-dag-edge"
          points={edge.points.map(p => `${p.x},${p.y}`).join(' ')}
          markerEnd="url(#jp-mlops-arrow)"
        />
      ))}
      {layout.nodes.map(node => (
        <g
          key={node.id}
          className={`jp-mlops-dag-node ${stateClass(node.state)}${
            selected === node.id ? ' jp-mlops-selected' : ''
          }`}
          data-step-id={node.id}
          data-state={node.state}
          transform={`translate(${node.x - NODE_WIDTH / 2},${node.y - NODE_HEIGHT / 2})`}
          onClick={() => onSelect(node.id)}
          role="button"
          tabIndex={0}
          onKeyDown={event => {
            if (event.key === 'Enter') {
              onSelect(node.id);
            }
          }}
        >
          <title>{`${node.label}: ${node.state}${node.cached ? ' (cached)' : ''}`}</title>
          <rect width={NODE_WIDTH} height={NODE_HEIGHT} rx={6} ry={6} />
          <text x={NODE_WIDTH / 2} y={NODE_HEIGHT / 2 + 4} textAnchor="middle">
            {(node.cached ? '\u2601 ' : '') +
              (node.label.length > 20
                ? node.label.slice(0, 19) + '\u2026'
                : node.label)}
          </text>
        </g>
      ))}
    </svg>
  );
}
