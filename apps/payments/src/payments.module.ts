import { Module } from '@nestjs/common';

import { ConnectorsModule } from '@app/connectors';

import { CallbacksController } from './callbacks/callbacks.controller';
import { PaymentCallbacks } from './callbacks/payment-callbacks';
import { PaymentsMetrics } from './payments.metrics';
import { PaymentsWorker } from './payments.worker';
import { GatewayChooser } from './resolve/gateway-chooser';
import { ResolveGateway } from './resolve/resolve-gateway';
import { ResolveController } from './resolve/resolve.controller';
import { RoutingChanges } from './routing/routing-changes';
import { RoutingTable } from './routing/routing-table';
import { RoutingController } from './routing/routing.controller';
import { RoutingRepository } from './routing/routing.repository';
import { RoutingService } from './routing/routing.service';
import { SessionsRepository } from './sessions/sessions.repository';

/** The payments service: routing, gateway resolution with failover, cashier sessions and callbacks. */
@Module({
  imports: [ConnectorsModule.forService()],
  controllers: [RoutingController, ResolveController, CallbacksController],
  providers: [
    RoutingRepository,
    RoutingTable,
    RoutingChanges,
    RoutingService,
    GatewayChooser,
    ResolveGateway,
    SessionsRepository,
    PaymentCallbacks,
    PaymentsMetrics,
    PaymentsWorker,
  ],
})
export class PaymentsModule {}
