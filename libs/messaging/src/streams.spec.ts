import type { NatsConnection } from '@nats-io/transport-node';

import { ensureEventStream, eventStreamConfig, eventStreamNames } from './streams';

// the JetStream manager is replaced (a unit test opens no socket); everything else of the package is real
const streams = { info: jest.fn(), update: jest.fn(), add: jest.fn<Promise<object>, [object]>() };
jest.mock('@nats-io/jetstream', () => ({
  ...jest.requireActual<typeof import('@nats-io/jetstream')>('@nats-io/jetstream'),
  jetstreamManager: jest.fn(() => Promise.resolve({ streams })),
}));

const nc = {} as NatsConnection;
const notFound = () => Object.assign(new Error('stream not found'), { name: 'StreamNotFoundError' });

describe(ensureEventStream.name, () => {
  beforeEach(() => {
    for (const fn of Object.values(streams)) fn.mockReset();
  });

  it('creates a missing stream with the replicas asked for', async () => {
    streams.info.mockRejectedValue(notFound());
    streams.add.mockResolvedValue({});
    await ensureEventStream(nc, 'p1', { replicas: 3 });
    expect(streams.add).toHaveBeenCalledTimes(1);
    expect(streams.add.mock.calls[0][0]).toMatchObject({ name: 'p1_EVENTS', subjects: ['p1.evt.>'], num_replicas: 3 });
    expect(streams.update).not.toHaveBeenCalled();
  });

  it('updates an existing stream that has another replica count instead of failing', async () => {
    streams.info.mockResolvedValue({ config: { ...eventStreamConfig(eventStreamNames('p1'), 1) } });
    streams.update.mockResolvedValue({});
    await ensureEventStream(nc, 'p1', { replicas: 3 });
    expect(streams.update).toHaveBeenCalledWith('p1_EVENTS', expect.objectContaining({ num_replicas: 3 }));
    expect(streams.add).not.toHaveBeenCalled();
  });

  it('keeps one replica by default', async () => {
    streams.info.mockRejectedValue(notFound());
    streams.add.mockResolvedValue({});
    await ensureEventStream(nc, '');
    expect(streams.add.mock.calls[0][0]).toMatchObject({ name: 'EVENTS', num_replicas: 1 });
  });

  it('names EVENTS_STREAM_REPLICAS when a single server refuses more than one replica', async () => {
    streams.info.mockRejectedValue(notFound());
    streams.add.mockRejectedValue(new Error('replicas > 1 not supported in non-clustered mode'));
    await expect(ensureEventStream(nc, 'p1', { replicas: 3 })).rejects.toThrow(
      /p1_EVENTS stream cannot have 3 replicas \(EVENTS_STREAM_REPLICAS\).*non-clustered/,
    );
  });

  it('tolerates another service creating the stream between its look-up and its create', async () => {
    streams.info.mockRejectedValue(notFound());
    streams.add.mockRejectedValue(new Error('stream name already in use with a different configuration'));
    await expect(ensureEventStream(nc, 'p1')).resolves.toEqual(eventStreamNames('p1'));
  });
});
