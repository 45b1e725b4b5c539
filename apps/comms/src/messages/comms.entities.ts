import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

@Entity('messages')
export class MessageEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('text') channel!: 'email' | 'sms' | 'call';
  @Column('text') provider!: string;
  @Column('text', { name: 'provider_message_id', nullable: true }) providerMessageId!: string | null;
  @Column('text', { name: 'correlation_key', nullable: true }) correlationKey!: string | null;
  @Column('text') status!: string;
  @Column('text', { name: 'to_address' }) toAddress!: string;
  @Column('text', { name: 'customer_id', nullable: true }) customerId!: string | null;
  @Column('text', { name: 'event_type', nullable: true }) eventType!: string | null;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
}

@Entity('message_attempts')
export class AttemptEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column('uuid', { name: 'message_id' }) messageId!: string;
  @Column('text') provider!: string;
  @Column('text') outcome!: 'sent' | 'failed' | 'refused';
  @Column('text', { nullable: true }) error!: string | null;
  @Column('text', { name: 'provider_message_id', nullable: true }) providerMessageId!: string | null;
  @Column('timestamptz') at!: Date;
}

@Entity('message_events')
export class EventEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column('uuid', { name: 'message_id', nullable: true }) messageId!: string | null;
  @Column('text') provider!: string;
  @Column('text', { name: 'provider_event_id', nullable: true }) providerEventId!: string | null;
  @Column('text', { nullable: true }) status!: string | null;
  @Column('text', { name: 'provider_status' }) providerStatus!: string;
  @Column('boolean') applied!: boolean;
  @Column('jsonb', { nullable: true }) details!: Record<string, unknown> | null;
  @Column('timestamptz') at!: Date;
  @Column('timestamptz', { name: 'received_at' }) receivedAt!: Date;
}

@Entity('suppressions')
export class SuppressionEntity {
  @PrimaryColumn('text') channel!: string;
  @PrimaryColumn('text') address!: string;
  @Column('text') reason!: string;
  @Column('text', { nullable: true }) provider!: string | null;
  @Column('uuid', { name: 'message_id', nullable: true }) messageId!: string | null;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
}

export const COMMS_ENTITIES = [MessageEntity, AttemptEntity, EventEntity, SuppressionEntity];
