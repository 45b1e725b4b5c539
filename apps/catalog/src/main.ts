import './tracing';

import { runServiceMain } from '@app/runtime';

import { catalogService } from './definition';

runServiceMain(catalogService);
