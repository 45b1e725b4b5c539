// WIRE PROTOCOL: these subject strings are what payments replicas listen on; renaming one breaks deployed services.
export const paymentsSubjects = {
  putRoute: 'payments.routing.put',
  listRoutes: 'payments.routing.list',
  getRoute: 'payments.routing.get',
  deleteRoute: 'payments.routing.delete',
  getDefault: 'payments.routing.default.get',
  setDefault: 'payments.routing.default.set',
  resolveGateway: 'payments.gateway.resolve',
  webhooksReceive: 'payments.webhooks.receive',
  /**
   * Core NATS (not JetStream): the replica that changed the routing tells the others at once, before it
   * answers; the durable evt.payments.routing.changed follows through the outbox.
   */
  routingReloadHint: 'payments.routing.reload',
} as const;
