// WIRE PROTOCOL: these subject strings are what every service's replicas listen on; renaming one breaks deployed services.
import type { ServiceName } from '../common/envelope';

/** Dead letters live in the schema of the service owning the consumer; the gateway asks each service. */
export const opsSubjects = {
  listDeadLetters: (service: ServiceName) => `${service}.ops.dead_letters.list` as const,
  replayDeadLetter: (service: ServiceName) => `${service}.ops.dead_letters.replay` as const,
  discardDeadLetter: (service: ServiceName) => `${service}.ops.dead_letters.discard` as const,
  replayConsumerDeadLetters: (service: ServiceName) => `${service}.ops.dead_letters.replay_consumer` as const,
  discardConsumerDeadLetters: (service: ServiceName) => `${service}.ops.dead_letters.discard_consumer` as const,
  /** The service's configuration changes (see AuditLog). */
  listAudit: (service: ServiceName) => `${service}.ops.audit.list` as const,
};
