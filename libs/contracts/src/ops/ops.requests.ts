import type { ServiceName } from '../common/envelope';
import type {
  ConsumerDeadLettersRequest,
  DeadLetterIdRequest,
  DeadLetterView,
  ListDeadLettersRequest,
} from './ops.messages';

export type OpsRequests = {
  [K in `${ServiceName}.ops.dead_letters.list`]: [ListDeadLettersRequest, { dead_letters: DeadLetterView[] }];
} & {
  [K in `${ServiceName}.ops.dead_letters.replay`]: [DeadLetterIdRequest, { id: string }];
} & {
  [K in `${ServiceName}.ops.dead_letters.discard`]: [DeadLetterIdRequest, { discarded: number }];
} & {
  [K in `${ServiceName}.ops.dead_letters.replay_consumer`]: [ConsumerDeadLettersRequest, { replayed: number }];
} & {
  [K in `${ServiceName}.ops.dead_letters.discard_consumer`]: [ConsumerDeadLettersRequest, { discarded: number }];
};
