// `npm run sandbox`: the platform with provider fakes on loopback, ready to send through and watch.
import { startSandbox } from './sandbox';

async function main() {
  const sandbox = await startSandbox({ port: Number(process.env.PORT || 3000) });
  const { url, apiKey } = sandbox;
  process.stdout.write(
    `\nSandbox is up: SendGrid (email), Twilio (SMS), Praxis (payments) and SumSub (KYC) are fakes on loopback\n` +
      `that call back as the real ones do.\n` +
      `  Console: ${url}/console/\n  API key: ${apiKey}\n  API docs: ${url}/docs\n\n` +
      `  curl -s ${url}/api/platform/integrations/email/send -H 'authorization: Bearer ${apiKey}' \\\n` +
      `    -H 'content-type: application/json' -d '{"to":"john@example.com","subject":"Hi","body_html":"<p>Hi</p>","from_email":"crm@broker.example"}'\n` +
      `  then watch the message go sent, delivered, opened in the console (Messages) or at\n` +
      `  GET ${url}/api/platform/integrations/messages/<message_id>\n\n`,
  );
  // Ctrl-C reaches this process and tools/sandbox.js, which forwards it too: stop once
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void sandbox.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: Error) => {
  process.stderr.write(`npm run sandbox: ${err.message}\n`);
  process.exit(1);
});
