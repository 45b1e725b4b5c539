import { Column, Entity, PrimaryColumn } from 'typeorm';

import type { GateName, GateResult, KycDocTypeValue, KycStatusValue } from '@app/contracts';

export type GateResults = Record<GateName, GateResult>;
export type EventSource = 'webhook' | 'internal' | 'reconciliation';

@Entity('kyc_records')
export class KycRecordEntity {
  @PrimaryColumn('uuid', { name: 'customer_id' }) customerId!: string;
  @Column('text') provider!: string;
  @Column('text', { name: 'provider_id', nullable: true }) providerId!: string | null;
  @Column('text', { name: 'verification_url', nullable: true }) verificationUrl!: string | null;
  @Column('text') status!: KycStatusValue;
  @Column('text', { name: 'provider_status', nullable: true }) providerStatus!: string | null;
  @Column('text', { name: 'doc_type', nullable: true }) docType!: KycDocTypeValue | null;
  @Column('text', { name: 'doc_country', nullable: true }) docCountry!: string | null;
  @Column('date', { name: 'doc_expiry', nullable: true }) docExpiry!: string | null;
  @Column('date', { name: 'birth_date', nullable: true }) birthDate!: string | null;
  @Column('text', { name: 'reject_labels', array: true }) rejectLabels!: string[];
  @Column('jsonb') gates!: GateResults;
  @Column('timestamptz', { name: 'last_event_at', nullable: true }) lastEventAt!: Date | null;
  @Column('timestamptz', { name: 'reconciled_at', nullable: true }) reconciledAt!: Date | null;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
}

@Entity('kyc_events')
export class KycEventEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('text') provider!: string;
  @Column('text', { name: 'event_key' }) eventKey!: string;
  @Column('text') source!: EventSource;
  @Column('text', { name: 'event_type' }) eventType!: string;
  @Column('text', { name: 'provider_id', nullable: true }) providerId!: string | null;
  @Column('text', { name: 'customer_ref', nullable: true }) customerRef!: string | null;
  @Column('text', { nullable: true }) status!: KycStatusValue | null;
  @Column('text', { name: 'provider_status', nullable: true }) providerStatus!: string | null;
  @Column('text', { name: 'reject_labels', array: true }) rejectLabels!: string[];
  @Column('boolean', { name: 'needs_details' }) needsDetails!: boolean;
  @Column('timestamptz', { name: 'occurred_at', nullable: true }) occurredAt!: Date | null;
  @Column('timestamptz', { name: 'received_at' }) receivedAt!: Date;
  @Column('jsonb') payload!: Record<string, unknown>;
  @Column('uuid', { name: 'customer_id', nullable: true }) customerId!: string | null;
  @Column('text', { nullable: true }) outcome!: string | null;
  @Column('timestamptz', { name: 'processed_at', nullable: true }) processedAt!: Date | null;
}

export const KYC_ENTITIES = [KycRecordEntity, KycEventEntity];
