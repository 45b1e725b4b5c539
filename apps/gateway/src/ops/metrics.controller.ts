import { Controller } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';

import { MetricsController as RuntimeMetricsController } from '@app/runtime';

/** The gateway's /metrics on PORT (not in the OpenAPI document); left out when METRICS_PORT is set. */
@ApiExcludeController()
@Controller()
export class MetricsController extends RuntimeMetricsController {}
