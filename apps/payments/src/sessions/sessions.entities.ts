import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

import type { PaymentDirection, PaymentStatus } from '@app/contracts';

@Entity('cashier_sessions')
export class CashierSessionEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('text') gateway!: string;
  @Column('text') direction!: PaymentDirection;
  @Column('char', { length: 2 }) country!: string;
  @Column('text', { name: 'customer_id', nullable: true }) customerId!: string | null;
  @Column('numeric', { nullable: true }) amount!: string | null;
  @Column('char', { length: 3 }) currency!: string;
  @Column('text') status!: PaymentStatus;
  @Column('text') source!: 'country' | 'default';
  @Column('text', { name: 'failover_from', nullable: true }) failoverFrom!: string | null;
  /** SHA-256 (hex) of the secret BridgerPay echoes in meta.payload. */
  @Column('text', { name: 'session_secret_sha256', nullable: true }) sessionSecretSha256!: string | null;
  @Column('text', { name: 'provider_transaction_id', nullable: true }) providerTransactionId!: string | null;
  @Column('text', { nullable: true }) flag!: string | null;
  /** The provider's signed time (Unix seconds) of the last notification applied: an earlier-signed one changes history only. */
  @Column('bigint', { name: 'last_applied_provider_time', nullable: true }) lastAppliedProviderTime!: string | null;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
}

@Entity('session_status_history')
export class SessionStatusEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column('uuid', { name: 'session_id' }) sessionId!: string;
  @Column('text') status!: PaymentStatus;
  @Column('text', { name: 'provider_status', nullable: true }) providerStatus!: string | null;
  @Column('text', { nullable: true }) flag!: string | null;
  @Column('timestamptz') at!: Date;
}

@Entity('payment_transactions')
export class PaymentTransactionEntity {
  @PrimaryColumn('text') gateway!: string;
  @PrimaryColumn('text', { name: 'provider_transaction_id' }) providerTransactionId!: string;
  @Column('uuid', { name: 'session_id' }) sessionId!: string;
  @Column('text', { nullable: true }) status!: PaymentStatus | null;
  @Column('text', { name: 'provider_status' }) providerStatus!: string;
  @Column('numeric', { nullable: true }) amount!: string | null;
  @Column('char', { length: 3, nullable: true }) currency!: string | null;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
}

/** Every verified notification once per order and provider event key. */
@Entity('payment_notifications')
export class PaymentNotificationEntity {
  @PrimaryColumn('text') gateway!: string;
  @PrimaryColumn('uuid', { name: 'session_id' }) sessionId!: string;
  @PrimaryColumn('text', { name: 'event_key' }) eventKey!: string;
  @Column('text', { name: 'provider_status' }) providerStatus!: string;
  @Column('text', { nullable: true }) status!: PaymentStatus | null;
  @Column('boolean') applied!: boolean;
  @Column('text', { nullable: true }) fingerprint!: string | null;
  @Column('bigint', { name: 'provider_time', nullable: true }) providerTime!: string | null;
  @Column('timestamptz', { name: 'received_at' }) receivedAt!: Date;
}

/** A verified notification answered 2xx but not applied: an operator decides. */
@Entity('parked_notifications')
export class ParkedNotificationEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column('text') gateway!: string;
  @Column('uuid', { name: 'session_id', nullable: true }) sessionId!: string | null;
  @Column('text', { name: 'event_key' }) eventKey!: string;
  @Column('text') reason!: string;
  @Column('text', { name: 'provider_status' }) providerStatus!: string;
  /** The body as received, with personal and card data censored. */
  @Column('jsonb') payload!: unknown;
  @Column('timestamptz', { name: 'received_at' }) receivedAt!: Date;
}
