import {
  isTransitional,
  IServerEvent,
  spawnPhase
} from '../notebook-servers/api';

function event(reason: string, message = ''): IServerEvent {
  return { id: 1, timestamp: 0, type: 'Normal', reason, message };
}

describe('spawnPhase', () => {
  it('follows the steps users recognise, never going back', () => {
    expect(spawnPhase([])).toEqual({ step: 0, label: 'Waiting' });
    expect(spawnPhase([event('Created'), event('Requested')]).step).toBe(1);
    expect(
      spawnPhase([event('Requested'), event('Scheduled'), event('Pulling')])
    ).toEqual({ step: 3, label: 'Pulling the image' });
    expect(
      spawnPhase([event('Pulled'), event('Started'), event('Ready')])
    ).toEqual({ step: 5, label: 'Ready' });
    // A Kubernetes "Created container" after Pulling is not a step back to 1.
    expect(
      spawnPhase([event('Pulling'), event('Created', 'Pod x: Created')]).step
    ).toBe(3);
  });
});

describe('isTransitional', () => {
  it('is true while a server is on its way somewhere', () => {
    expect(isTransitional('Pending')).toBe(true);
    expect(isTransitional('Starting')).toBe(true);
    expect(isTransitional('Stopping')).toBe(true);
    expect(isTransitional('Running')).toBe(false);
    expect(isTransitional('Failed')).toBe(false);
  });
});
