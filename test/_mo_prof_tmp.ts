import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse, validate } from 'graphql';
import { Store } from '../src/mo-emulator/store.ts';
import { Metrics } from '../src/mo-emulator/metrics.ts';
import { GraphqlEndpoint } from '../src/mo-emulator/graphql-endpoint.ts';
import { buildMoSchema } from '../src/mo-emulator/schema.ts';
const dir = mkdtempSync(path.join(tmpdir(), 'prof-'));
const store = new Store(path.join(dir, 'mo.sqlite'));
const schema = buildMoSchema();
const ep = new GraphqlEndpoint(store, schema, new Metrics());
const run = (q: string) => { const r = ep.run({ query: q }, 29, false); if (r.errors) throw new Error(JSON.stringify(r.errors)); return r.data as any; };
const facet = run(`mutation { facet_create(input:{user_key:"t", validity:{}}) { uuid } }`).facet_create.uuid;
const cls = run(`mutation { class_create(input:{user_key:"t", name:"t", facet_uuid:"${facet}", validity:{}}) { uuid } }`).class_create.uuid;
const unit = run(`mutation { org_unit_create(input:{name:"u", org_unit_type:"${cls}", validity:{from:"2000-01-01"}}) { uuid } }`).org_unit_create.uuid;
let tParse = 0, tRun = 0;
const persons: string[] = [];
for (let r = 0; r < 50; r++) {
  const parts = [];
  for (let i = 0; i < 100; i++) { const u = randomUUID(); persons.push(u); parts.push(`m${i}: employee_create(input: {uuid: "${u}", given_name: "G", surname: "S"}) { uuid }`); }
  const q = `mutation { ${parts.join('\n')} }`;
  let s = performance.now(); const d = parse(q); validate(schema, d); tParse += performance.now() - s;
  s = performance.now(); run(q); tRun += performance.now() - s;
}
console.log('persons: parse+validate per req', (tParse / 50).toFixed(1), 'run per req (incl parse)', (tRun / 50).toFixed(1));
tParse = 0; tRun = 0;
for (let r = 0; r < 50; r++) {
  const parts = [];
  for (let i = 0; i < 100; i++) parts.push(`m${i}: engagement_create(input: {person: "${persons[r * 100 + i]}", org_unit: "${unit}", engagement_type: "${cls}", job_function: "${cls}", validity: {from: "2021-01-01"}}) { uuid }`);
  const q = `mutation { ${parts.join('\n')} }`;
  let s = performance.now(); const d = parse(q); validate(schema, d); tParse += performance.now() - s;
  s = performance.now(); run(q); tRun += performance.now() - s;
}
console.log('engagements: parse+validate per req', (tParse / 50).toFixed(1), 'run per req', (tRun / 50).toFixed(1));
console.log((globalThis as any).__t);
