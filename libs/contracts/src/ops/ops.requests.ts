import type { ServiceName } from '../common/envelope';
import type {
  AuditEntry,
  ConsumerDeadLettersRequest,
  DeadLetterId,
  DeadLetterIdRequest,
  DeadLetterView,
  DiscardedCount,
  ListAuditRequest,
  ListDeadLettersRequest,
  ReplayedCount,
} from './ops.messages';

export type OpsRequests = {
  [K in `${ServiceName}.ops.dead_letters.list`]: [ListDeadLettersRequest, { dead_letters: DeadLetterView[] }];
} & {
  [K in `${ServiceName}.ops.dead_letters.replay`]: [DeadLetterIdRequest, DeadLetterId];
} & {
  [K in `${ServiceName}.ops.dead_letters.discard`]: [DeadLetterIdRequest, DiscardedCount];
} & {
  [K in `${ServiceName}.ops.dead_letters.replay_consumer`]: [ConsumerDeadLettersRequest, ReplayedCount];
} & {
  [K in `${ServiceName}.ops.dead_letters.discard_consumer`]: [ConsumerDeadLettersRequest, DiscardedCount];
} & {
  [K in `${ServiceName}.ops.audit.list`]: [ListAuditRequest, { entries: AuditEntry[] }];
};
