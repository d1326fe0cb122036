/** Reads configuration once at module load and fails fast: a missing setting is a deploy bug. */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new Error(`Environment variable ${name} must be set`);
  }
  return value;
}
