/** Request subjects of the affiliates service and their [request, reply] types (merged into RequestMap). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export type AffiliatesRequests = {};
