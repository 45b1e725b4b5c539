import './tracing';

import { runServiceMain } from '@app/runtime';

import { commsService } from './definition';

runServiceMain(commsService);
