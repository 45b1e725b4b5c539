/** Filled in by the payments issue (PaymentPort: cashier sessions, callback verification, status mapping). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface PaymentPort {}
