import { appendFileSync } from 'node:fs';

import { checkGatewayAnswers } from '../src/answers';

// every answer of a gateway the file starts must conform to docs/openapi.json
const check = checkGatewayAnswers();
afterAll(() => {
  const { validated, failures } = check.finish();
  if (process.env.OPENAPI_ANSWERS_LOG) appendFileSync(process.env.OPENAPI_ANSWERS_LOG, `${validated}\n`);
  expect(failures).toEqual([]);
});
