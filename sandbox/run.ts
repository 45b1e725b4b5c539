// `npm run sandbox`: the platform with provider fakes on loopback, ready to send through and watch.
import { startSandbox } from './sandbox';

async function main() {
  const sandbox = await startSandbox({ port: Number(process.env.PORT || 3000) });
  const { url, apiKey } = sandbox;
  process.stdout.write(
    `\nSandbox is up: SendGrid (email), Twilio (SMS), Praxis (payments) and SumSub (KYC) are fakes on loopback\n` +
      `that call back as the real ones do. The console will be served by the gateway; until then use the API.\n` +
      `  Gateway: ${url}\n  API docs: ${url}/docs\n  API key: ${apiKey}\n\n` +
      `  curl -s ${url}/api/platform/integrations/email/send -H 'authorization: Bearer ${apiKey}' \\\n` +
      `    -H 'content-type: application/json' -d '{"to":"john@example.com","subject":"Hi","body_html":"<p>Hi</p>","from_email":"crm@broker.example"}'\n` +
      `  then GET ${url}/api/platform/integrations/messages/<message_id>: sent, delivered, opened.\n` +
      `  GET ${url}/payments/gateway?country=DE&direction=deposit&amount=10&currency=EUR&customer_id=9f1c4c1e-8f3e-4a55-9d2a-0d6c1f0e1a11\n    opens a Praxis session\n` +
      `  that is approved and notified; POST /api/platform/kyc/applicants gets a SumSub decision.\n\n`,
  );
  const stop = () => void sandbox.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: Error) => {
  process.stderr.write(`npm run sandbox: ${err.message}\n`);
  process.exit(1);
});
