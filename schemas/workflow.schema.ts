/** The workflow file (workflows/*.yaml). `npm run schemas` writes schemas/workflow.schema.json from this. */
import type { FromSchema, JSONSchema } from 'json-schema-to-ts';

export const workflowSchema = {
  $id: 'https://los2mo.example/schemas/workflow.schema.json',
  title: 'los2mo workflow',
  type: 'object',
  additionalProperties: false,
  required: ['name', 'steps'],
  properties: {
    name: { type: 'string', minLength: 1 },
    description: { type: 'string' },
    settings: {
      description: 'Defaults for settings; may use ${{ env.NAME }}. Overridden by settings.json, the environment and --set.',
      type: 'object',
      propertyNames: { pattern: '^[a-z][a-z0-9_]*$' },
      additionalProperties: { type: ['string', 'number', 'boolean'] },
    },
    steps: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'uses'],
        properties: {
          id: { type: 'string', pattern: '^[a-z][a-z0-9_-]*$', description: 'Unique id; outputs are read as ${{ steps.<id>.outputs.<name> }}' },
          name: { type: 'string', description: 'Title in the progress view' },
          uses: { type: 'string', minLength: 1, description: 'A step module in steps/ (e.g. fetch) or a path ./x.ts relative to the workflow' },
          if: { type: ['string', 'boolean'], description: 'Run the step only when this expression is true' },
          with: { type: 'object', description: "The step's options, checked against its with-schema before anything runs" },
          input: { type: 'object', description: 'Data from earlier steps, checked against its input schema when the step starts' },
        },
      },
    },
  },
} as const satisfies JSONSchema;

export type Workflow = FromSchema<typeof workflowSchema>;
export type WorkflowStep = Workflow['steps'][number];
