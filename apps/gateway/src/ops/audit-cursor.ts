import { isIn, isISO8601, isNumberString } from 'class-validator';

import { SERVICES, type ServiceName } from '@app/contracts';

import { decodePageCursor, encodePageCursor } from './page-cursor';

/** Position after the last entry of an audit page; the order is (at, service, id) over every service. */
export interface AuditPosition {
  at: string;
  service: ServiceName;
  id: string;
}

export function encodeAuditCursor(p: AuditPosition): string {
  return encodePageCursor([p.at, p.service, p.id]);
}

export function decodeAuditCursor(cursor: string): AuditPosition {
  const [at, service, id] = decodePageCursor(
    cursor,
    3,
    ([at, service, id]) =>
      isISO8601(at, { strict: true }) && isIn(service, SERVICES) && isNumberString(id, { no_symbols: true }),
  );
  return { at, service: service as ServiceName, id };
}
