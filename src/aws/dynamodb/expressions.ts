import { encodeField, type FieldSpec, type RecordSpec } from './item-codec.ts';

/**
 * Builds DynamoDB condition and update expressions with placeholders for every name and value, so
 * reserved words (`state`, `key`, `end`) and user data never need escaping by hand.
 */
export class ExpressionBuilder {
  readonly names: Record<string, string> = {};
  readonly values: Record<string, unknown> = {};
  private readonly nameIds = new Map<string, string>();
  private valueCount = 0;
  private readonly sets: string[] = [];
  private readonly removes: string[] = [];
  private readonly conditions: string[] = [];

  /** A placeholder for an attribute path; dots separate map keys (`lastAutomatedDataInterval.start`). */
  name(path: string): string {
    return path
      .split('.')
      .map((part) => {
        let id = this.nameIds.get(part);
        if (!id) {
          id = `#n${this.nameIds.size}`;
          this.nameIds.set(part, id);
          this.names[id] = part;
        }
        return id;
      })
      .join('.');
  }

  value(value: unknown): string {
    const id = `:v${this.valueCount++}`;
    this.values[id] = value;
    return id;
  }

  set(path: string, value: unknown): this {
    this.sets.push(`${this.name(path)} = ${this.value(value)}`);
    return this;
  }

  /** A SET clause written by the caller, e.g. `#n1 = #n1 + :v2`. */
  setRaw(clause: string): this {
    this.sets.push(clause);
    return this;
  }

  remove(path: string): this {
    this.removes.push(this.name(path));
    return this;
  }

  /** Adds the changed fields of a record: null removes the attribute, undefined leaves it alone. */
  setChanges<T extends object>(spec: RecordSpec<T>, changes: Partial<T>, skip: ReadonlySet<string> = new Set()): this {
    for (const [field, value] of Object.entries(changes)) {
      if (value === undefined || skip.has(field)) continue;
      const fieldSpec = (spec as Record<string, FieldSpec | undefined>)[field];
      if (!fieldSpec) throw new TypeError(`"${field}" is not a field that can be changed.`);
      if (value === null && fieldSpec.kind !== 'json') this.remove(field);
      else this.set(field, encodeField(fieldSpec.kind, value));
    }
    return this;
  }

  hasUpdates(): boolean {
    return this.sets.length > 0 || this.removes.length > 0;
  }

  condition(clause: string): this {
    this.conditions.push(clause);
    return this;
  }

  exists(): this {
    return this.condition(`attribute_exists(${this.name('pk')})`);
  }

  notExists(): this {
    return this.condition(`attribute_not_exists(${this.name('pk')})`);
  }

  /** `attr = v`, or `attr IN (...)` for a list of accepted values. */
  oneOf(path: string, accepted: unknown | readonly unknown[]): this {
    const list = Array.isArray(accepted) ? accepted : [accepted];
    if (list.length === 0) throw new TypeError(`An empty list of accepted values for "${path}" can never match.`);
    if (list.length === 1) return this.condition(`${this.name(path)} = ${this.value(list[0])}`);
    return this.condition(`${this.name(path)} IN (${list.map((v) => this.value(v)).join(', ')})`);
  }

  /** The attribute is absent (how null is stored) or, from older writers, of type NULL. */
  isNull(path: string): this {
    const name = this.name(path);
    return this.condition(`(attribute_not_exists(${name}) OR attribute_type(${name}, ${this.value('NULL')}))`);
  }

  updateExpression(): string | undefined {
    const parts: string[] = [];
    if (this.sets.length) parts.push(`SET ${this.sets.join(', ')}`);
    if (this.removes.length) parts.push(`REMOVE ${this.removes.join(', ')}`);
    return parts.length ? parts.join(' ') : undefined;
  }

  conditionExpression(): string | undefined {
    return this.conditions.length ? this.conditions.join(' AND ') : undefined;
  }

  /** The expression fields of a command input; empty maps are omitted, as DynamoDB requires. */
  build(): {
    UpdateExpression?: string;
    ConditionExpression?: string;
    ExpressionAttributeNames?: Record<string, string>;
    ExpressionAttributeValues?: Record<string, unknown>;
  } {
    const out: ReturnType<ExpressionBuilder['build']> = {};
    const update = this.updateExpression();
    const condition = this.conditionExpression();
    if (update) out.UpdateExpression = update;
    if (condition) out.ConditionExpression = condition;
    if (Object.keys(this.names).length) out.ExpressionAttributeNames = this.names;
    if (Object.keys(this.values).length) out.ExpressionAttributeValues = this.values;
    return out;
  }
}
