/** DI tokens of the infrastructure every service receives from startService(). */
export const DATA_SOURCE = Symbol('DATA_SOURCE');
export const NATS_CONNECTION = Symbol('NATS_CONNECTION');
export const LOGGER = Symbol('LOGGER');
export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');
export const INSTANCE = Symbol('INSTANCE');

export interface InstanceInfo {
  service: string;
  instanceId: string;
  prefix: string;
}
