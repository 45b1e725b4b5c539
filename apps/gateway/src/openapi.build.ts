import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { OpenAPIObject } from '@nestjs/swagger';

import { BusClient } from '@app/messaging';
import { Metrics } from '@app/observability';

import { gatewayModule } from './gateway';
import { GatewayRuntime } from './gateway.runtime';
import { describeApi } from './openapi';

/** The gateway's document without a bus or a database: the controllers get placeholders they never call. */
export async function buildOpenApiDocument(): Promise<OpenAPIObject> {
  const placeholders = [BusClient, Metrics, GatewayRuntime].map((provide) => ({ provide, useValue: {} }));
  const app = await NestFactory.create<NestFastifyApplication>(
    gatewayModule(placeholders, true),
    new FastifyAdapter(),
    {
      logger: false,
    },
  );
  try {
    return describeApi(app);
  } finally {
    await app.close();
  }
}

/** Where the document is committed. */
export const OPENAPI_FILE = join(__dirname, '../../../docs/openapi.json');

/**
 * The committed file's text, formatted as `prettier --check` wants it (by the prettier CLI: its API loads
 * itself with a dynamic import, which Jest's CommonJS runtime refuses).
 */
export function openApiJson(doc: OpenAPIObject): string {
  return execFileSync(
    process.execPath,
    [require.resolve('prettier/bin/prettier.cjs'), '--no-config', '--parser', 'json', '--print-width', '120'],
    { input: JSON.stringify(doc), encoding: 'utf8' },
  );
}
