import {
  formatDuration,
  formatMetricValue,
  formatRelativeTime,
  pickMetricKeys,
  runDuration
} from '../format';

const metric = (value: number) => ({
  value,
  step: 0,
  timestamp: 0,
  min: value,
  max: value
});

describe('formatDuration', () => {
  it.each([
    [420, '420 ms'],
    [1_000, '1.0 s'],
    [12_345, '12 s'],
    [9_940, '9.9 s'],
    [4 * 60_000 + 5_000, '4 min 05 s'],
    [2 * 3_600_000 + 3 * 60_000, '2 h 03 min'],
    [3 * 86_400_000 + 4 * 3_600_000, '3 d 4 h']
  ])('shows %d ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('shows unknown or negative durations as a dash', () => {
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(undefined)).toBe('—');
    expect(formatDuration(-5)).toBe('—');
    expect(formatDuration(NaN)).toBe('—');
  });
});

describe('runDuration', () => {
  it('measures a finished run up to its end', () => {
    expect(runDuration({ start_time: 1_000, end_time: 4_000 }, 99_000)).toBe(
      3_000
    );
  });

  it('measures a running run up to now', () => {
    expect(runDuration({ start_time: 1_000, end_time: null }, 9_000)).toBe(
      8_000
    );
  });
});

describe('formatRelativeTime', () => {
  const now = Date.UTC(2024, 5, 15, 12, 0, 0);
  it.each([
    [now - 10_000, 'just now'],
    [now + 5_000, 'just now'],
    [now - 5 * 60_000, '5 min ago'],
    [now - 3 * 3_600_000, '3 h ago'],
    [now - 2 * 86_400_000, '2 d ago'],
    [Date.UTC(2024, 0, 2, 8), '2024-01-02']
  ])('shows %d as %s', (ms, text) => {
    expect(formatRelativeTime(ms, now)).toBe(text);
  });
});

describe('formatMetricValue', () => {
  it.each([
    [0, '0'],
    [42, '42'],
    [-7, '-7'],
    [0.123456789, '0.12346'],
    [0.5, '0.5'],
    [3.14159265, '3.1416'],
    [1234.5678, '1234.6'],
    [12_345_678.9, '1.235e7'],
    [0.0000123, '1.23e-5'],
    [NaN, 'NaN'],
    [Infinity, '∞'],
    [-Infinity, '-∞']
  ])('shows %p as %s', (value, text) => {
    expect(formatMetricValue(value)).toBe(text);
  });
});

describe('pickMetricKeys', () => {
  const metrics = {
    val_loss: metric(1),
    acc: metric(1),
    loss: metric(1),
    'system/cpu': metric(1)
  };

  it('takes the first three keys alphabetically for the metrics column', () => {
    expect(pickMetricKeys(metrics, ['status', 'metrics'])).toEqual([
      'acc',
      'loss',
      'system/cpu'
    ]);
  });

  it('prefers metrics named in the columns, in column order', () => {
    expect(
      pickMetricKeys(metrics, [
        'metrics.val_loss',
        'metrics.missing',
        'metrics.acc'
      ])
    ).toEqual(['val_loss', 'acc']);
  });

  it('shows no metrics when the metrics column is off', () => {
    expect(pickMetricKeys(metrics, ['status'])).toEqual([]);
  });
});
