import type { ConformancePlatform } from '@app/testing/conformance';

import { advances } from '../../comms/src/log/status.policy';
import { STATUS_BY_CODE } from '../../gateway/src/http/problem';
import { movesForward } from '../../payments/src/callbacks/status-rules';
import { checkSettings, isUrlSetting } from '../src/providers/credentials.policy';
import { PROVIDER_SEED } from '../src/seed/providers.seed';
import { seedRefusals } from '../src/seed/seeder';

/** The platform as it runs: the catalog's seed and policies, the gateway's statuses, the services' ordering. */
export const platform: ConformancePlatform = {
  seed: PROVIDER_SEED,
  seedRefusals,
  checkSettings,
  isUrlSetting,
  httpStatus: (code) => STATUS_BY_CODE[code],
  isBackwards: (category, channel, from, to) =>
    category === 'payment'
      ? movesForward(to as never, from as never)
      : // KYC has no status order: reviews are ordered by the provider's own time (kyc's process-webhook)
        category !== 'kyc' && advances(channel, to, from),
};
