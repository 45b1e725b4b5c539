// WIRE PROTOCOL: these subject strings are what catalog replicas listen on; renaming one breaks deployed services.
export const catalogSubjects = {
  listProviders: 'catalog.providers.list',
  getProvider: 'catalog.providers.get',
  activate: 'catalog.providers.activate',
  updateCredentials: 'catalog.providers.credentials.update',
  deactivate: 'catalog.providers.deactivate',
  test: 'catalog.providers.test',
  listCategories: 'catalog.categories.list',
  setDefault: 'catalog.categories.default.set',
  /** Services only (never routed by the gateway): a provider's decrypted configuration. */
  getConfig: 'catalog.providers.config.get',
  /** Services only: the configuration of the category's default provider, or of a named active one. */
  resolveConfig: 'catalog.providers.config.resolve',
} as const;

/**
 * Core NATS (not JetStream, not request-reply): every process that calls providers publishes its circuit
 * breakers' health here; the catalog keeps the latest report of each process and shows it in Provider.
 */
export const providerHealthSubject = 'svc.health.providers';
