import { App, type AppProps } from 'aws-cdk-lib';
import { readStackConfig } from './stack-config.ts';
import { UpdraftStack } from './updraft-stack.ts';

/**
 * Builds the app without synthesizing it, so tests assemble exactly what `cdk synth` assembles. The
 * stack is environment-agnostic: no account or region lookups, so synthesis runs offline and without
 * credentials.
 */
export function createUpdraftApp(props: AppProps = {}): { app: App; stack: UpdraftStack } {
  const app = new App(props);
  const config = readStackConfig((key) => app.node.tryGetContext(key));
  const stack = new UpdraftStack(app, 'UpdraftStack', { config });
  return { app, stack };
}
