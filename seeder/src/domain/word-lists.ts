import { faker } from '@faker-js/faker';

/**
 * Word lists taken once from faker's English locale data (thousands of real-looking names,
 * streets and cities), so rows are assembled by picking from arrays instead of calling faker per
 * row. The lists are the same for every seed; the seed decides the picks.
 */
const d = faker.definitions;

const strings = (v: unknown): string[] => {
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  if (v && typeof v === 'object' && 'generic' in v) return strings((v as { generic: unknown }).generic);
  throw new Error('faker locale data changed shape');
};

export const wordLists = {
  firstNames: strings(d.person.first_name),
  lastNames: strings(d.person.last_name),
  streetNames: strings(d.location.street_name),
  streetSuffixes: strings(d.location.street_suffix),
  cities: strings(d.location.city_name),
  states: strings(d.location.state_abbr),
  adjectives: strings(d.commerce.product_name.adjective),
  materials: strings(d.commerce.product_name.material),
  emailDomains: ['example.com', 'example.net', 'example.org'],
} as const;
