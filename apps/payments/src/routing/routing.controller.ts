import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';

import { CountryRequest, paymentsSubjects } from '@app/contracts';

import { RoutingService } from './routing.service';

/** NATS handlers of the routing API: validate (global pipe, or the service where checks must be listed together), delegate. */
@Controller()
export class RoutingController {
  constructor(private readonly routing: RoutingService) {}

  // validated by the service (path, body and semantic rules together), so typed unknown for the pipe
  @MessagePattern(paymentsSubjects.putRoute)
  put(@Payload() raw: unknown) {
    return this.routing.put(raw);
  }

  @MessagePattern(paymentsSubjects.listRoutes)
  list() {
    return this.routing.list();
  }

  @MessagePattern(paymentsSubjects.getRoute)
  get(@Payload() req: CountryRequest) {
    return this.routing.get(req.country);
  }

  @MessagePattern(paymentsSubjects.deleteRoute)
  delete(@Payload() req: CountryRequest) {
    return this.routing.delete(req.country);
  }

  @MessagePattern(paymentsSubjects.getDefault)
  getDefault() {
    return this.routing.getDefault();
  }

  @MessagePattern(paymentsSubjects.setDefault)
  setDefault(@Payload() raw: unknown) {
    return this.routing.setDefault(raw);
  }
}
