/** Filled in by the communications issue (EmailPort: send, delivery callbacks). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface EmailPort {}
