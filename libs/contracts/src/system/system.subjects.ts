// WIRE PROTOCOL: these subject strings are what services listen on; renaming one breaks deployed replicas.
import type { ServiceName } from '../common/envelope';

export const systemSubjects = {
  /** Liveness and dependency check of one service, answered by any replica. */
  health: (service: ServiceName) => `${service}.system.health` as const,
  /** Echo: proves the gateway -> NATS -> service -> reply path; used by diagnostics and benchmarks. */
  echo: (service: ServiceName) => `${service}.system.echo` as const,
};
