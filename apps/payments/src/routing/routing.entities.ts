import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('routes')
export class RouteEntity {
  @PrimaryColumn('char', { length: 2 }) country!: string;
  @Column('text', { name: 'deposit_gateway' }) depositGateway!: string;
  @Column('text', { name: 'withdrawal_gateway' }) withdrawalGateway!: string;
  @Column('boolean', { name: 'is_active' }) isActive!: boolean;
  @Column('text', { nullable: true }) note!: string | null;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
}

@Entity('default_route')
export class DefaultRouteEntity {
  @PrimaryColumn('smallint') id!: number;
  @Column('text', { name: 'deposit_gateway' }) depositGateway!: string;
  @Column('text', { name: 'withdrawal_gateway' }) withdrawalGateway!: string;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
}
