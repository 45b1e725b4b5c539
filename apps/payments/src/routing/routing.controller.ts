import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { CountryRequest, PutRouteRequest, SetDefaultRouteRequest, paymentsSubjects } from '@app/contracts';
import { RoutingService } from './routing.service';

/** NATS handlers of the routing API: validate (global pipe), delegate. */
@Controller()
export class RoutingController {
  constructor(private readonly routing: RoutingService) {}

  @MessagePattern(paymentsSubjects.putRoute)
  put(@Payload() req: PutRouteRequest) { return this.routing.put(req); }

  @MessagePattern(paymentsSubjects.listRoutes)
  list() { return this.routing.list(); }

  @MessagePattern(paymentsSubjects.getRoute)
  get(@Payload() req: CountryRequest) { return this.routing.get(req.country); }

  @MessagePattern(paymentsSubjects.deleteRoute)
  delete(@Payload() req: CountryRequest) { return this.routing.delete(req.country); }

  @MessagePattern(paymentsSubjects.getDefault)
  getDefault() { return this.routing.getDefault(); }

  @MessagePattern(paymentsSubjects.setDefault)
  setDefault(@Payload() req: SetDefaultRouteRequest) { return this.routing.setDefault(req); }
}
