import { Controller } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { BusClient } from '@app/messaging';

/** The kyc part of API.md; each route is one NATS request to the kyc service. */
@ApiTags('kyc')
@ApiBearerAuth()
@Controller()
export class KycController {
  constructor(private readonly bus: BusClient) {}
}
