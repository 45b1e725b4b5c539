import 'reflect-metadata';

import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';

import { UpsertAffiliateRequest } from './affiliates.messages';

describe(UpsertAffiliateRequest.name, () => {
  it('refuses a max_batch_size sent as a string rather than converting it', () => {
    const errors = validateSync(plainToInstance(UpsertAffiliateRequest, { affiliate_id: 'acme', max_batch_size: '5' }));
    expect(errors.map((e) => e.property)).toEqual(['max_batch_size']);
  });
});
