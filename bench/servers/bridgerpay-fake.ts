// The BridgerPay fake as a process of its own (the provider, outside our servers), answering with no delay.
import { BridgerpayFake } from '@app/connectors/providers/bridgerpay/bridgerpay.fake';

const fake = new BridgerpayFake({
  username: process.env.BP_USERNAME ?? 'bench-user',
  password: process.env.BP_PASSWORD ?? 'bench-password',
  apiKey: process.env.BP_API_KEY ?? 'bench-api-key',
  cashierKey: process.env.BP_CASHIER_KEY ?? 'bench-cashier-key',
});
// the fake records every request and session; a long run would only grow memory
setInterval(() => {
  fake.requests.length = 0;
  fake.sessions.length = 0;
}, 1000).unref();
void fake.start().then(() => process.stdout.write(`READY ${fake.baseUrl}\n`));
// SIGTERM (stopAll) ends it through exit, so a profiled run (`npm run bench -- --profile`) writes its profile
process.once('SIGTERM', () => process.exit(0));
