import { loadPhoneReader } from '../../lambdas/domain/workflow/extract/phone';

await loadPhoneReader();
