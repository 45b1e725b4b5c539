import './tracing';

import { runServiceMain } from '@app/runtime/service';

import { kycService } from './definition';

runServiceMain(kycService);
