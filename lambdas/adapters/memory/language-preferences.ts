import type { LanguagePreferences } from '../../ports/language-preferences';

/** Customers' languages in memory (`workflow simulate`, use-case tests). */
export class MemoryLanguagePreferences implements LanguagePreferences {
  private readonly languages = new Map<string, string>();

  async get(tenantId: string, customer: string): Promise<string | undefined> {
    return this.languages.get(`${tenantId}#${customer}`);
  }

  async set(tenantId: string, customer: string, preference: { language: string }): Promise<void> {
    this.languages.set(`${tenantId}#${customer}`, preference.language);
  }
}
