import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';

import { paymentsSubjects } from '@app/contracts';

import { ResolveGateway } from './resolve-gateway';

@Controller()
export class ResolveController {
  constructor(private readonly resolve: ResolveGateway) {}

  // validated by the service (query and amount rules together), so typed unknown for the pipe
  @MessagePattern(paymentsSubjects.resolveGateway)
  execute(@Payload() raw: unknown) {
    return this.resolve.execute(raw);
  }
}
