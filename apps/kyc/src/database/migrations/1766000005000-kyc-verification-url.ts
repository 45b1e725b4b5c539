import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The provider-hosted verification page of the record's current applicant (Veriff); null for SumSub. */
export class KycVerificationUrl1766000005000 implements MigrationInterface {
  name = 'KycVerificationUrl1766000005000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE kyc_records ADD COLUMN verification_url text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE kyc_records DROP COLUMN verification_url`);
  }
}
