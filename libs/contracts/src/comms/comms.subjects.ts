// WIRE PROTOCOL: these subject strings are what comms replicas listen on; renaming one breaks deployed services.
export const commsSubjects = {
  sendEmail: 'comms.email.send',
  sendSms: 'comms.sms.send',
  createCall: 'comms.calls.create',
  getMessage: 'comms.messages.get',
  listMessages: 'comms.messages.list',
  receiveWebhook: 'comms.webhooks.receive',
} as const;
