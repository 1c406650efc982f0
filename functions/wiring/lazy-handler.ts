/**
 * A Lambda handler whose wiring (reading a key from Secrets Manager, building clients) runs on the first
 * invocation and is kept for the container's life, so warm invocations reuse it. A wiring that fails is
 * not kept: the next invocation wires again, so a cold start that met a missing secret recovers once the
 * secret exists instead of failing every invocation until the container is recycled.
 */
export function lazyHandler<Event, Context, Result>(
  wire: () => Promise<(event: Event, context: Context) => Promise<Result>>,
): (event: Event, context: Context) => Promise<Result> {
  let wired: Promise<(event: Event, context: Context) => Promise<Result>> | undefined;
  return async (event, context) => {
    if (!wired) {
      const attempt = wire();
      wired = attempt;
      // Only this attempt may clear itself: a later, successful wiring must not be dropped.
      attempt.catch(() => {
        if (wired === attempt) wired = undefined;
      });
    }
    return (await wired)(event, context);
  };
}
