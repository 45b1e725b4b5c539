import './tracing';

import { runServiceMain } from '@app/runtime/service';

import { affiliatesService } from './definition';

runServiceMain(affiliatesService);
