import './tracing';

import { runServiceMain } from '@app/runtime/service';

import { paymentsService } from './definition';

runServiceMain(paymentsService);
