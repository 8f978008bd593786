/** Counters served at `GET /metrics` in Prometheus text format. */
export interface EmulatorMetrics {
  requests: number;
  graphqlRequests: number;
  /** Committed mutations by mutator name. */
  mutations: Record<string, number>;
  /** GraphQL errors by MO error key (plus UNAUTHENTICATED / PERMISSION_DENIED / GRAPHQL_VALIDATION / GRAPHQL_ERROR). */
  errors: Record<string, number>;
  /** Requests whose transaction was rolled back. */
  rollbacks: number;
  /** Injected faults by kind (error, reset, delay). */
  faults: Record<string, number>;
}

const bump = (table: Record<string, number>, key: string, by = 1) => {
  table[key] = (table[key] ?? 0) + by;
};

const label = (value: string) => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

export class Metrics {
  private readonly data: EmulatorMetrics = {
    requests: 0,
    graphqlRequests: 0,
    mutations: {},
    errors: {},
    rollbacks: 0,
    faults: {},
  };

  request(): void {
    this.data.requests++;
  }
  graphqlRequest(): void {
    this.data.graphqlRequests++;
  }
  mutation(name: string, by = 1): void {
    bump(this.data.mutations, name, by);
  }
  error(key: string): void {
    bump(this.data.errors, key);
  }
  rollback(): void {
    this.data.rollbacks++;
  }
  fault(kind: string): void {
    bump(this.data.faults, kind);
  }

  snapshot(): EmulatorMetrics {
    const d = this.data;
    return { ...d, mutations: { ...d.mutations }, errors: { ...d.errors }, faults: { ...d.faults } };
  }

  prometheus(): string {
    const d = this.data;
    const lines: string[] = [];
    const counter = (name: string, help: string, samples: [string, number][]) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
      for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`);
    };
    const labelled = (key: string, table: Record<string, number>): [string, number][] =>
      Object.entries(table)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [`{${key}="${label(k)}"}`, v]);
    counter('mo_emulator_requests_total', 'HTTP requests received.', [['', d.requests]]);
    counter('mo_emulator_graphql_requests_total', 'GraphQL requests received.', [['', d.graphqlRequests]]);
    counter('mo_emulator_mutations_total', 'Committed mutations by mutator name.', labelled('name', d.mutations));
    counter('mo_emulator_errors_total', 'GraphQL errors by error key.', labelled('error_key', d.errors));
    counter('mo_emulator_rollbacks_total', 'GraphQL requests rolled back.', [['', d.rollbacks]]);
    counter('mo_emulator_faults_total', 'Injected faults by kind.', labelled('kind', d.faults));
    return `${lines.join('\n')}\n`;
  }
}
