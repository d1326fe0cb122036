import type { Workflow } from './definition';
import { loadPhoneReader } from './extract/phone';

/**
 * Loads the readers a workflow needs that are too heavy to load with every function: the phone
 * reader (libphonenumber-js) only for a workflow with a `phone` variable. Call it before running a
 * turn or a start of the workflow; the engine itself stays synchronous.
 */
export async function prepareReaders(workflow: Workflow): Promise<void> {
  const readsPhones = workflow.routes.some((route) =>
    route.mandatoryVariables.some((variable) => variable.type === 'phone'),
  );
  if (readsPhones) await loadPhoneReader();
}
