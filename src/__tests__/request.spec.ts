import { ServerConnection } from '@jupyterlab/services';

import {
  ApiError,
  errorMessageFrom,
  queryString,
  requestAPI
} from '../request';
import { fakeServer } from './fake-server';

describe('errorMessageFrom', () => {
  it("uses the server's error message", () => {
    const body = {
      error: {
        code: 'INVALID_PARAMETER_VALUE',
        message: "metrics[0].value must be a number, got 'abc'",
        field: 'metrics[0].value'
      }
    };
    expect(errorMessageFrom(body, 400, 'Bad Request')).toBe(
      "metrics[0].value must be a number, got 'abc'"
    );
  });

  it("uses jupyter_server's own message for its errors", () => {
    expect(
      errorMessageFrom({ message: 'Forbidden', reason: null }, 403, '')
    ).toBe('Forbidden');
  });

  it('uses a short plain-text body', () => {
    expect(errorMessageFrom('proxy timeout', 504, 'Gateway Timeout')).toBe(
      'proxy timeout'
    );
  });

  it('falls back to the status line for HTML pages and empty bodies', () => {
    expect(
      errorMessageFrom('<html><body>404</body></html>', 404, 'Not Found')
    ).toBe('The server answered 404 Not Found');
    expect(errorMessageFrom('', 502, 'Bad Gateway')).toBe(
      'The server answered 502 Bad Gateway'
    );
  });
});

describe('queryString', () => {
  it('repeats array parameters, encodes values and skips unset ones', () => {
    expect(
      queryString({
        experiment_ids: ['1', '2'],
        filter: "params.opt = 'adam'",
        view: undefined,
        page_token: null,
        max_results: 5
      })
    ).toBe(
      "?experiment_ids=1&experiment_ids=2&filter=params.opt%20%3D%20'adam'&max_results=5"
    );
  });

  it('is empty without parameters', () => {
    expect(queryString({ a: undefined, b: [] })).toBe('');
  });
});

describe('requestAPI', () => {
  it('calls mlops/api below the base URL and returns the JSON body', async () => {
    const { settings, requests } = fakeServer(() => ({
      status: 200,
      body: { count: 3 }
    }));
    const body = await requestAPI<{ count: number }>(
      'runs/count?experiment_ids=1',
      {},
      settings
    );
    expect(body).toEqual({ count: 3 });
    expect(requests[0].path).toBe('/lab-base/mlops/api/runs/count');
    expect(requests[0].query.getAll('experiment_ids')).toEqual(['1']);
  });

  it('returns undefined for an empty answer', async () => {
    const { settings } = fakeServer(() => ({ status: 204 }));
    await expect(
      requestAPI('runs/abc', { method: 'DELETE' }, settings)
    ).resolves.toBeUndefined();
  });

  it("throws a ResponseError with the server's message, code and field", async () => {
    const { settings } = fakeServer(() => ({
      status: 404,
      body: {
        error: {
          code: 'RESOURCE_DOES_NOT_EXIST',
          message: "No experiment with id '42'",
          field: null
        }
      }
    }));
    const error: any = await requestAPI('experiments/42', {}, settings).catch(
      e => e
    );
    expect(error).toBeInstanceOf(ServerConnection.ResponseError);
    expect(error).toBeInstanceOf(ApiError);
    expect(error.message).toBe("No experiment with id '42'");
    expect(error.code).toBe('RESOURCE_DOES_NOT_EXIST');
    expect(error.field).toBeNull();
    expect(error.response.status).toBe(404);
  });

  it('keeps the field of a validation error', async () => {
    const { settings } = fakeServer(() => ({
      status: 400,
      body: {
        error: {
          code: 'INVALID_PARAMETER_VALUE',
          message: 'name must not be empty',
          field: 'name'
        }
      }
    }));
    const error: any = await requestAPI(
      'experiments',
      { method: 'POST' },
      settings
    )
      .then(() => null)
      .catch(e => e);
    expect(error.field).toBe('name');
  });

  it('throws a NetworkError when the server cannot be reached', async () => {
    const settings = ServerConnection.makeSettings({
      baseUrl: 'http://localhost:8888/',
      fetch: (() => Promise.reject(new TypeError('Failed to fetch'))) as any
    });
    await expect(
      requestAPI('experiments', {}, settings)
    ).rejects.toBeInstanceOf(ServerConnection.NetworkError);
  });

  it('rejects a successful answer that is not JSON', async () => {
    const { settings } = fakeServer(() => ({
      status: 200,
      body: '<html></html>',
      contentType: 'text/html'
    }));
    await expect(requestAPI('experiments', {}, settings)).rejects.toThrow(
      /Expected JSON from experiments, got text\/html/
    );
  });
});
