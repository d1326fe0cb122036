/**
 * The parts of libphonenumber-js the phone reader uses, in one module that extract/phone.ts loads
 * with a dynamic import: a bundler keeps only these exports (tree-shaking), and only the first
 * workflow that reads a phone number pays for loading them.
 */
export {
  findPhoneNumbersInText,
  isSupportedCountry,
  parsePhoneNumberFromString,
} from 'libphonenumber-js/min';
