import { describe, expect, it } from 'vitest';
import { inheritedEnvironment } from '../../../local/runtime/local-function';

describe('inheritedEnvironment', () => {
  const parent = {
    AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:1',
    AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:2',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_PROFILE: 'prod',
    HOME: '/root',
    UNSET: undefined,
  };

  it('copies exactly the named variables and those matching a prefix pattern', () => {
    expect(
      inheritedEnvironment(['AWS_ENDPOINT_URL_*', 'AWS_ACCESS_KEY_ID', 'UNSET', 'MISSING'], parent),
    ).toEqual({
      AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:1',
      AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:2',
      AWS_ACCESS_KEY_ID: 'local',
    });
  });

  it('copies nothing by default', () => {
    expect(inheritedEnvironment([], parent)).toEqual({});
  });
});
