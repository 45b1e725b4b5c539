import { Controller } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { BusClient } from '@app/messaging';

/** The payments part of API.md; each route is one NATS request to the payments service. */
@ApiTags('payments')
@ApiBearerAuth()
@Controller()
export class PaymentsController {
  constructor(private readonly bus: BusClient) {}
}
