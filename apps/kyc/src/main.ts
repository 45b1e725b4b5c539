import './tracing';

import { runServiceMain } from '@app/runtime';

import { kycService } from './definition';

runServiceMain(kycService);
