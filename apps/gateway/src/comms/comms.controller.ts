import { Controller } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { BusClient } from '@app/messaging';

/** The comms part of API.md; each route is one NATS request to the comms service. */
@ApiTags('comms')
@ApiBearerAuth()
@Controller()
export class CommsController {
  constructor(private readonly bus: BusClient) {}
}
