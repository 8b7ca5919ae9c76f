import { DEFAULT_SETTINGS, readSettings } from '../settings';

describe('readSettings', () => {
  it('takes valid values as they are', () => {
    expect(
      readSettings({
        refreshInterval: 0,
        defaultExperiment: ' churn ',
        chartSmoothing: 0.6,
        visibleRunColumns: ['status', 'metrics.loss'],
        chartXAxis: 'relative'
      })
    ).toEqual({
      refreshInterval: 0,
      defaultExperiment: 'churn',
      chartSmoothing: 0.6,
      visibleRunColumns: ['status', 'metrics.loss'],
      runColumnsByExperiment: {},
      chartXAxis: 'relative'
    });
  });

  it('falls back to the defaults for missing or invalid values', () => {
    expect(readSettings({})).toEqual(DEFAULT_SETTINGS);
    expect(
      readSettings({
        refreshInterval: -3,
        defaultExperiment: 7,
        chartSmoothing: 'lots',
        visibleRunColumns: 'status',
        chartXAxis: 'epoch'
      })
    ).toEqual(DEFAULT_SETTINGS);
  });

  it('clamps chart smoothing into 0..0.99', () => {
    expect(readSettings({ chartSmoothing: 1.5 }).chartSmoothing).toBe(0.99);
    expect(readSettings({ chartSmoothing: -1 }).chartSmoothing).toBe(0);
  });

  it('drops non-string columns', () => {
    expect(
      readSettings({ visibleRunColumns: ['status', 3, null, 'user'] })
        .visibleRunColumns
    ).toEqual(['status', 'user']);
  });
});
