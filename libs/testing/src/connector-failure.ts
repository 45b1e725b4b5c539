import { ConnectorError } from '@app/connectors';

/** The ConnectorError a connector call rejects with; fails the test when it resolves or throws anything else. */
export async function connectorFailure(p: Promise<unknown>): Promise<ConnectorError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ConnectorError) return e;
    throw e;
  }
  throw new Error('expected a ConnectorError');
}
