import type { IRun } from '../api';
import { endReason } from '../panel/run-overview';

function run(
  status: IRun['info']['status'],
  tags: Record<string, string>
): IRun {
  return {
    info: {
      run_id: 'a'.repeat(32),
      run_name: 'a',
      experiment_id: '1',
      user: 'ada',
      status,
      start_time: 1000,
      end_time: 4000,
      parent_run_id: null,
      lifecycle_stage: 'active',
      artifact_uri: ''
    },
    params: {},
    tags,
    metrics: {},
    inputs: { datasets: [], models: [] },
    outputs: { models: [] }
  };
}

describe('endReason', () => {
  it('says why a run ended when a reason is tagged', () => {
    expect(
      endReason(run('KILLED', { 'mlops.end_reason': 'heartbeat lost' }))
    ).toBe('Killed: heartbeat lost');
  });

  it('is null for a run without a reason', () => {
    expect(endReason(run('FINISHED', {}))).toBeNull();
  });
});
