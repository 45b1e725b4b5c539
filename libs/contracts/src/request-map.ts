import type { ServiceName } from './common/envelope';
import type { EchoReply, EchoRequest, HealthReply } from './system/system.messages';

/**
 * Every request subject and its [request, reply] types. The bus client is typed by this map, so a
 * mistyped subject or a wrong payload does not compile. Each service's contracts add their entries.
 */
export type RequestMap = {
  [K in `${ServiceName}.system.echo`]: [EchoRequest, EchoReply];
} & {
  [K in `${ServiceName}.system.health`]: [Record<string, never>, HealthReply];
};

export type RequestSubject = keyof RequestMap & string;
export type RequestOf<S extends RequestSubject> = RequestMap[S][0];
export type ReplyOf<S extends RequestSubject> = RequestMap[S][1];
