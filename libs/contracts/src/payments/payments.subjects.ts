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
} as const;
