import './tracing';

import { runServiceMain } from '@app/runtime/service';

import { catalogService } from './definition';

runServiceMain(catalogService);
