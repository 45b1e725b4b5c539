import './tracing';

import { runServiceMain } from '@app/runtime';

import { affiliatesService } from './definition';

runServiceMain(affiliatesService);
