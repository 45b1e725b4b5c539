import './tracing';

import { runServiceMain } from '@app/runtime/service';

import { commsService } from './definition';

runServiceMain(commsService);
