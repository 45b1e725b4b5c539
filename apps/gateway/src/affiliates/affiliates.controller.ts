import { Controller } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { BusClient } from '@app/messaging';

/** The affiliates part of API.md; each route is one NATS request to the affiliates service. */
@ApiTags('affiliates')
@ApiBearerAuth()
@Controller()
export class AffiliatesController {
  constructor(private readonly bus: BusClient) {}
}
