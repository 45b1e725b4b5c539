/** Filled in by the communications issue (SmsPort: send, status callbacks). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface SmsPort {}
