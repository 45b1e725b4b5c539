import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ResolveGatewayRequest, paymentsSubjects } from '@app/contracts';
import { ResolveGateway } from './resolve-gateway';

@Controller()
export class ResolveController {
  constructor(private readonly resolve: ResolveGateway) {}

  @MessagePattern(paymentsSubjects.resolveGateway)
  execute(@Payload() req: ResolveGatewayRequest) { return this.resolve.execute(req); }
}
