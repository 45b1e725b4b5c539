// The SendGrid fake as a pinned process for the comms benchmark: answers /v3/mail/send at once.
import { SendgridFake } from '@app/connectors/providers/sendgrid/sendgrid.fake';

const fake = new SendgridFake({ apiKey: process.env.SENDGRID_API_KEY ?? 'SG.bench' });
void fake.start().then(() => {
  // it records every request: drop them regularly so a long run does not grow the heap
  setInterval(() => {
    fake.reset();
    fake.sent.length = 0;
  }, 1000).unref();
  process.stdout.write(`READY ${fake.baseUrl}\n`);
});
// SIGTERM (stopAll) ends it through exit, so a profiled run (`npm run bench -- --profile`) writes its profile
process.once('SIGTERM', () => process.exit(0));
