import type { LambdaEvent } from 'hono/aws-lambda';

/** An API Gateway HTTP API (payload format 2.0) event, as the Lambda entries of both APIs receive it. */
export function httpApiEvent(method: string, path: string, headers: Record<string, string> = {}, body?: string): LambdaEvent {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers: { host: 'abc.execute-api.eu-west-1.amazonaws.com', ...headers },
    requestContext: {
      accountId: '123456789012',
      authentication: null,
      authorizer: {},
      apiId: 'abc',
      domainName: 'abc.execute-api.eu-west-1.amazonaws.com',
      domainPrefix: 'abc',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '10.0.0.1', userAgent: 'updraft-runner' },
      requestId: 'req-1',
      routeKey: '$default',
      stage: '$default',
      time: '01/Mar/2026:10:00:00 +0000',
      timeEpoch: 1772359200000,
    },
    isBase64Encoded: false,
    // API Gateway sends no body for a GET; Hono's type spells that null.
    body: body ?? null,
  };
}
