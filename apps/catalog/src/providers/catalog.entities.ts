import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('providers')
export class ProviderEntity {
  @PrimaryColumn('text') key!: string;
  @Column('text') category!: string;
  @Column('text') status!: 'active' | 'inactive';
  @Column('jsonb') settings!: Record<string, unknown>;
  @Column('integer') version!: number;
  @Column('timestamptz', { name: 'activated_at', nullable: true }) activatedAt!: Date | null;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
}

@Entity('credentials')
export class CredentialEntity {
  @PrimaryColumn('text', { name: 'provider_key' }) providerKey!: string;
  @PrimaryColumn('text') field!: string;
  @Column('text') sealed!: string;
  @Column('text', { name: 'key_id' }) keyId!: string;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
}

@Entity('category_defaults')
export class CategoryDefaultEntity {
  @PrimaryColumn('text') category!: string;
  @Column('text', { name: 'provider_key', nullable: true }) providerKey!: string | null;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
}

export const CATALOG_ENTITIES = [ProviderEntity, CredentialEntity, CategoryDefaultEntity];
