import { createUpdraftApp } from './create-app.ts';
import { InfraConfigError } from './errors.ts';

// The CDK app entry that cdk.json runs through tsx; `npm run synth` writes cdk.out/.
try {
  createUpdraftApp().app.synth();
} catch (error) {
  // A bad context value is the user's to fix: show the message, not a stack trace.
  if (!(error instanceof InfraConfigError)) throw error;
  console.error(error.message);
  process.exitCode = 1;
}
