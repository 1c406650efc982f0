import { App, Validations, type AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readStackConfig } from './stack-config.ts';
import { UpdraftStack } from './updraft-stack.ts';

/**
 * Builds the app without synthesizing it, so tests assemble exactly what `cdk synth` assembles: the
 * stack, with cdk-nag's AwsSolutions rules as a validation plugin (a finding fails synthesis unless it is
 * acknowledged with a reason). The stack is environment-agnostic: no account or region lookups, so
 * synthesis runs offline and without credentials.
 */
export function createUpdraftApp(props: AppProps = {}): { app: App; stack: UpdraftStack } {
  const app = new App(props);
  const config = readStackConfig((key) => app.node.tryGetContext(key));
  const stack = new UpdraftStack(app, 'UpdraftStack', { config });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}
