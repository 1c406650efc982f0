const MAP_ITEM = Symbol.for('updraft.mapItem');
/** Type-only brand carrying the element type; never present at runtime. */
declare const ELEMENT: unique symbol;

/**
 * The element of a mapped task group's list, as `taskGroup.expand()` hands it to the group's build
 * function. Pass it as an argument of a TaskFlow task (or `pythonTask` args) inside the group: each
 * instance of the group receives its own element. It is not a value at definition time, so it cannot
 * be used outside its group, inside a literal, or as a list to expand over.
 *
 * @example
 * ```ts
 * taskGroup.expand({ groupId: 'per_file' }, ['a.csv', 'b.csv'], (file: MapItem<string>) => {
 *   load(parse(file));
 * });
 * ```
 */
export interface MapItem<T = unknown> {
  /** The full id of the mapped task group whose element this is. */
  readonly groupId: string;
  readonly dagId: string;
  readonly [MAP_ITEM]: true;
  readonly [ELEMENT]?: T;
}

/** The DAG builder each item belongs to (compared by identity; items of another SDK copy have none). */
const owners = new WeakMap<object, object>();

/**
 * Whether a value is the item of a mapped task group (of any copy of the SDK).
 *
 * @example
 * ```ts
 * taskGroup.expand({ groupId: 'g' }, [1, 2], (item) => {
 *   isMapItem(item); // true
 * });
 * ```
 */
export function isMapItem(value: unknown): value is MapItem {
  return typeof value === 'object' && value !== null && (value as { [MAP_ITEM]?: unknown })[MAP_ITEM] === true;
}

/** A frozen item of the mapped group `groupId` of the DAG `owner` builds. */
export function createMapItem<T>(owner: { readonly dagId: string }, groupId: string): MapItem<T> {
  const item = Object.freeze({ groupId, dagId: owner.dagId, [MAP_ITEM]: true as const }) as MapItem<T>;
  owners.set(item, owner);
  return item;
}

/** The DAG builder an item belongs to, or null for an item made by another copy of the SDK. */
export function mapItemOwner(item: MapItem): object | null {
  return owners.get(item) ?? null;
}
