/** Filled in by the communications issue (VoicePort: click-to-call, call-status callbacks). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface VoicePort {}
