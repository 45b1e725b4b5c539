import './tracing';

import { runServiceMain } from '@app/runtime';

import { paymentsService } from './definition';

runServiceMain(paymentsService);
