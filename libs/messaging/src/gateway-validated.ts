import { affiliatesSubjects, SERVICES, systemSubjects } from '@app/contracts';

/**
 * Validation once per hop: the request subjects whose payload a service takes as the gateway validated
 * it, without running the DTO's rules a second time.
 *
 * The trust decision: a subject is listed only when (1) deploy/nats/users.conf lets the gateway alone
 * publish it (no service, not the crm user; gateway-validated.spec.ts checks the file), and (2) the
 * gateway sends exactly the body its global ValidationPipe just validated, with the same DTO class the
 * service's handler takes (nothing added from a path parameter, a header or a query). Everything else
 * (subjects a service may publish, payloads the gateway assembles from unvalidated parts) is validated
 * in the service as before. The permissions are enforced only when the service logs in to NATS, so the
 * service trusts these subjects only then (NATS_USER set; see NatsRpcServerOptions.trustGatewayValidation):
 * on an unauthenticated local NATS anyone could publish them, and every payload is validated.
 * docs/service-shape.md ("Validation once per hop") says the same for whoever adds a subject here.
 */
export const GATEWAY_VALIDATED_SUBJECTS: ReadonlySet<string> = new Set<string>([
  // apps/gateway/src/diagnostics: the EchoRequest body as it came, to the service it names
  ...SERVICES.map((s) => systemSubjects.echo(s)),
  // apps/gateway/src/affiliates: CreateLeadRequest and LeadEventRequest bodies as they came
  affiliatesSubjects.createLead,
  affiliatesSubjects.recordEvent,
]);

const validated = new WeakSet<object>();

/** Marks a parsed payload of a GATEWAY_VALIDATED_SUBJECTS request (the transport does, nothing else should). */
export function markGatewayValidated(payload: unknown): void {
  if (payload !== null && typeof payload === 'object') validated.add(payload);
}

/** Whether the service's validation pipe may take this payload without validating it again. */
export function isGatewayValidated(payload: unknown): boolean {
  return payload !== null && typeof payload === 'object' && validated.has(payload);
}
