import { ageOn, allPassed, evaluateGates, type GateFacts, type GatePolicy } from './gates';

const policy: GatePolicy = {
  restrictedCountries: new Set(['KP', 'IR']),
  acceptedDocTypes: new Set(['passport', 'id_card']),
  screeningLabels: new Set(['SANCTIONS', 'PEP']),
  minAge: 18,
};
const today = new Date('2026-03-10T12:00:00Z');
const approved: GateFacts = {
  status: 'approved',
  docType: 'passport',
  docCountry: 'GB',
  docExpiry: '2030-01-01',
  birthDate: '1990-01-01',
  rejectLabels: [],
};

describe(evaluateGates.name, () => {
  it('passes every gate for an approved adult with an accepted, valid document', () => {
    const g = evaluateGates(approved, policy, today);
    expect(g).toEqual({ identity: 'pass', document: 'pass', country: 'pass', age: 'pass', screening: 'pass' });
    expect(allPassed(g)).toBe(true);
  });

  it('leaves a gate pending while its data is unknown', () => {
    expect(
      evaluateGates(
        { status: 'pending', docType: null, docCountry: null, docExpiry: null, birthDate: null, rejectLabels: [] },
        policy,
        today,
      ),
    ).toEqual({ identity: 'pending', document: 'pending', country: 'pending', age: 'pending', screening: 'pending' });
    expect(evaluateGates({ ...approved, docExpiry: null }, policy, today).document).toBe('pass');
  });

  it('fails identity on a rejection or a resubmission request', () => {
    expect(evaluateGates({ ...approved, status: 'rejected' }, policy, today).identity).toBe('fail');
    expect(evaluateGates({ ...approved, status: 'resubmission_requested' }, policy, today).identity).toBe('fail');
    expect(evaluateGates({ ...approved, status: 'on_hold' }, policy, today).identity).toBe('pending');
  });

  it('fails the document gate for an unaccepted type or an expired document', () => {
    expect(evaluateGates({ ...approved, docType: 'driving_license' }, policy, today).document).toBe('fail');
    expect(evaluateGates({ ...approved, docExpiry: '2026-03-09' }, policy, today).document).toBe('fail');
    expect(evaluateGates({ ...approved, docExpiry: '2026-03-10' }, policy, today).document).toBe('pass');
  });

  it('fails the country gate for a restricted country', () => {
    expect(evaluateGates({ ...approved, docCountry: 'IR' }, policy, today).country).toBe('fail');
  });

  it('fails the age gate under the minimum age, counting birthdays exactly', () => {
    expect(ageOn('2008-03-10', today)).toBe(18);
    expect(ageOn('2008-03-11', today)).toBe(17);
    expect(evaluateGates({ ...approved, birthDate: '2008-03-11' }, policy, today).age).toBe('fail');
    expect(evaluateGates({ ...approved, birthDate: '2008-03-10' }, policy, today).age).toBe('pass');
  });

  it('fails screening on a configured label, in any case, and not on others', () => {
    expect(
      evaluateGates({ ...approved, status: 'rejected', rejectLabels: ['sanctions'] }, policy, today).screening,
    ).toBe('fail');
    expect(evaluateGates({ ...approved, status: 'rejected', rejectLabels: ['FORGERY'] }, policy, today).screening).toBe(
      'pass',
    );
  });
});
