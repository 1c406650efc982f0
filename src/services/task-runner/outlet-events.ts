import type { Asset, OutletEventAccessor, OutletEventAccessors } from '../../sdk/index.ts';
import { UpdraftError } from '../../core/errors.ts';
import { toJsonValue } from './json-value.ts';

/** A task reached for an outlet it does not have, or set an extra that is not a JSON object. */
export class OutletEventError extends UpdraftError {
  constructor(message: string) {
    super('outlet_event', message);
  }
}

/**
 * The asset events a running task emits for its outlets (Airflow's `outlet_events`): one per outlet,
 * sent with the success call; the task may set each one's `extra` while it runs.
 */
export class OutletEvents implements OutletEventAccessors {
  private readonly events = new Map<string, OutletEventAccessor>();

  constructor(
    private readonly taskId: string,
    outlets: readonly Pick<Asset, 'uri'>[],
  ) {
    for (const outlet of outlets) this.events.set(outlet.uri, { extra: {} });
  }

  get(asset: Pick<Asset, 'uri'> | string): OutletEventAccessor {
    const uri = typeof asset === 'string' ? asset : asset?.uri;
    const event = typeof uri === 'string' ? this.events.get(uri) : undefined;
    if (!event) {
      const known = [...this.events.keys()];
      throw new OutletEventError(
        `Task "${this.taskId}" has no outlet ${JSON.stringify(uri)}; ` +
          (known.length > 0 ? `its outlets are ${known.join(', ')}.` : 'add the asset to the task\'s outlets to emit an event for it.'),
      );
    }
    return event;
  }

  /** The finish call's `assetEvents`, their extras checked as JSON. */
  toRequest(): Array<{ uri: string; extra: Record<string, unknown> }> {
    return [...this.events].map(([uri, event]) => {
      const extra = toJsonValue(event.extra ?? {}, `The extra of the outlet event for "${uri}" of task "${this.taskId}"`);
      if (typeof extra !== 'object' || extra === null || Array.isArray(extra)) {
        throw new OutletEventError(`The extra of the outlet event for "${uri}" of task "${this.taskId}" must be an object.`);
      }
      return { uri, extra: extra as Record<string, unknown> };
    });
  }
}
