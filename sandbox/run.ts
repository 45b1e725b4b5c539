// `npm run sandbox`: the platform with provider fakes on loopback, ready to send through and watch.
import { startSandbox } from './sandbox';

async function main() {
  const sandbox = await startSandbox({ port: Number(process.env.PORT || 3000) });
  const { url, apiKey } = sandbox;
  process.stdout.write(
    `\nSandbox is up (SendGrid for email and Twilio for SMS, both fakes on loopback, calling back as the real ones do).\n` +
      `  Gateway: ${url}\n  API docs: ${url}/docs\n  API key: ${apiKey}\n\n` +
      `  curl -s ${url}/api/platform/integrations/email/send -H 'authorization: Bearer ${apiKey}' \\\n` +
      `    -H 'content-type: application/json' -d '{"to":"john@example.com","subject":"Hi","body_html":"<p>Hi</p>","from_email":"crm@broker.example"}'\n` +
      `  then GET ${url}/api/platform/integrations/messages/<message_id>: sent, delivered, opened.\n\n`,
  );
  const stop = () => void sandbox.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: Error) => {
  process.stderr.write(`npm run sandbox: ${err.message}\n`);
  process.exit(1);
});
