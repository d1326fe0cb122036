/**
 * Collects the CloudWatch Embedded Metric Format records the functions print, so local
 * figures come from the same records CloudWatch would turn into the dashboard's metrics.
 */
export interface MetricDatum {
  readonly name: string;
  readonly unit: string;
  readonly value: number;
  /** The values of every dimension the record's sets name. */
  readonly dimensions: Readonly<Record<string, string>>;
  /**
   * The record's dimension sets: CloudWatch makes one metric of each (a delivery count is one
   * value under {service, TenantId} and under {service, TenantId, SenderNumber}).
   */
  readonly dimensionSets: readonly (readonly string[])[];
  readonly namespace: string;
  readonly timestamp: number;
  readonly functionName: string;
  /** The invocation that printed it, when known. */
  readonly requestId?: string;
}

interface EmfRecord {
  _aws?: {
    Timestamp?: number;
    CloudWatchMetrics?: {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit?: string }[];
    }[];
  };
  [key: string]: unknown;
}

export class MetricRecorder {
  private readonly data: MetricDatum[] = [];
  private readonly killed = new Set<string>();

  /** Reads one log line (printed by invocation `requestId`); returns true if it was an EMF record. */
  ingest(functionName: string, line: string, requestId?: string): boolean {
    if (!line.includes('"CloudWatchMetrics"')) return false;
    let record: EmfRecord;
    try {
      record = JSON.parse(line) as EmfRecord;
    } catch {
      return false;
    }
    const directives = record._aws?.CloudWatchMetrics;
    if (!directives) return false;
    for (const directive of directives) {
      const dimensionNames = new Set(directive.Dimensions.flat());
      const dimensions: Record<string, string> = {};
      for (const name of dimensionNames) dimensions[name] = String(record[name]);
      for (const metric of directive.Metrics) {
        const raw = record[metric.Name];
        const values = Array.isArray(raw) ? raw : [raw];
        for (const value of values) {
          this.data.push({
            name: metric.Name,
            unit: metric.Unit ?? 'None',
            value: Number(value),
            dimensions,
            dimensionSets: directive.Dimensions,
            namespace: directive.Namespace,
            timestamp: record._aws?.Timestamp ?? Date.now(),
            functionName,
            ...(requestId !== undefined ? { requestId } : {}),
          });
        }
      }
    }
    return true;
  }

  all(): readonly MetricDatum[] {
    return this.data;
  }

  /** The invocation died part-way (a crash, a timeout): its records come back to be handled again. */
  invocationKilled(requestId: string): void {
    this.killed.add(requestId);
  }

  /**
   * Sum of a metric, optionally restricted to records whose dimensions include `where`: each value
   * once, however many dimension sets its record has.
   */
  sum(name: string, where: Readonly<Record<string, string>> = {}): number {
    return sumOf(this.data, name, where);
  }

  /**
   * The part of `sum` printed by invocations that were then killed. A metric is printed before
   * the write that closes it (so it is never lost); a kill between the two has the record's retry
   * print it again, so this is how far `sum` may exceed the truth (docs/architecture.md).
   */
  sumPrintedBeforeKill(name: string, where: Readonly<Record<string, string>> = {}): number {
    const killed = this.data.filter(
      (datum) => datum.requestId !== undefined && this.killed.has(datum.requestId),
    );
    return sumOf(killed, name, where);
  }

  /**
   * What CloudWatch would sum for the one metric with exactly these dimensions (and `service`,
   * which Powertools adds to every set): only values whose record has that dimension set.
   */
  sumOfSeries(name: string, dimensions: Readonly<Record<string, string>>): number {
    const names = ['service', ...Object.keys(dimensions)];
    return this.data
      .filter((datum) => datum.name === name)
      .filter((datum) => datum.dimensionSets.some((set) => hasSameNames(set, names)))
      .filter((datum) => Object.entries(dimensions).every(([key, value]) => datum.dimensions[key] === value))
      .reduce((total, datum) => total + datum.value, 0);
  }
}

function sumOf(data: readonly MetricDatum[], name: string, where: Readonly<Record<string, string>>): number {
  return data
    .filter((datum) => datum.name === name)
    .filter((datum) => Object.entries(where).every(([key, value]) => datum.dimensions[key] === value))
    .reduce((total, datum) => total + datum.value, 0);
}

/** Whether a dimension set names exactly these dimensions, in any order. */
export function hasSameNames(set: readonly string[], names: readonly string[]): boolean {
  return set.length === names.length && names.every((name) => set.includes(name));
}
