import { nullable, text, timestamp } from './copy-text.js';
import { timelineOf, ZONES } from './history.js';
import { DAY_MS, type LoadPlan } from './plan.js';
import { wordLists } from './word-lists.js';
import { Rng, Stream, unit } from './random.js';

/** Customers sign up in id order, as the history's shape has them (history.ts). */
export function customerCreatedAt(plan: LoadPlan, index: number): number {
  return Math.floor(timelineOf(plan).at((index + unit(plan.seed, Stream.customers, index)) / plan.customers));
}

/** The time zone (index into ZONES) a customer lives in, drawn by the zones' share of sign-ups at their sign-up time. */
export function customerZone(plan: LoadPlan, index: number, createdAt = customerCreatedAt(plan, index)): number {
  return timelineOf(plan).zoneAt(createdAt, unit(plan.seed, Stream.customerZones, index));
}

/** The state of a customer's default address: one of their zone's, evenly. */
function customerState(plan: LoadPlan, index: number, createdAt: number): string {
  const states = ZONES[customerZone(plan, index, createdAt)]!.states;
  return states[Math.floor(unit(plan.seed, Stream.customerStates, index) * states.length)]!;
}

/** Every customer has a default address whose id is `firstId.address + index`. */
export function defaultAddressId(plan: LoadPlan, index: number): number {
  return plan.firstId.address + index;
}

export interface CustomerRows {
  /** COPY customers (id, email, first_name, last_name, phone, created_at, updated_at) */
  customers: string;
  /** COPY addresses (id, customer_id, line1, line2, city, region, postal_code, country_code, is_default, created_at, updated_at) */
  defaultAddresses: string;
  /** COPY addresses (customer_id, line1, ... , updated_at): ids from the identity */
  extraAddresses: string;
}

/** A person as the shop knows them; the full load and the delta generator both draw them here. */
export interface Person {
  firstName: string;
  lastName: string;
  /** The address with `%s` where the customer's id goes (ids make emails unique): see `email`. */
  emailPattern: string;
  phone: string | null;
}

export function drawPerson(rng: Rng): Person {
  const firstName = rng.pick(wordLists.firstNames);
  const lastName = rng.pick(wordLists.lastNames);
  // Lower-case letters, digits and dots only, so the pattern holds no other `%` than its own.
  const local = `${firstName}.${lastName}`.toLowerCase().replace(/[^a-z0-9.]/g, '');
  const emailPattern = `${local}%s@${rng.pick(wordLists.emailDomains)}`;
  const phone = rng.chance(0.8) ? rng.digits('+1-###-###-####') : null;
  return { firstName, lastName, emailPattern, phone };
}

/** The email of customer `id`; SQL builds the same with `format(emailPattern, id)`. */
export function email(person: Person, id: number): string {
  return person.emailPattern.replace('%s', String(id));
}

export interface Address {
  line1: string;
  line2: string | null;
  city: string;
  region: string;
  postalCode: string;
  countryCode: string;
}

/** A new address; in `region` when given (a state abbreviation), else in any state. */
export function drawAddress(rng: Rng, region?: string): Address {
  const line1 = `${rng.digits(rng.pick(['####', '###', '#####']))} ${rng.pick(wordLists.streetNames)} ${rng.pick(wordLists.streetSuffixes)}`;
  const line2 = rng.chance(0.25) ? rng.digits(rng.pick(['Apt. ###', 'Suite ###'])) : null;
  const city = rng.pick(wordLists.cities);
  return {
    line1,
    line2,
    city,
    region: region ?? rng.pick(wordLists.states),
    postalCode: rng.digits('#####'),
    countryCode: 'US',
  };
}

/** COPY text of an address's own columns: line1, line2, city, region, postal_code, country_code. */
function addressText(a: Address): string {
  return `${text(a.line1)}\t${nullable(a.line2)}\t${text(a.city)}\t${text(a.region)}\t${a.postalCode}\t${a.countryCode}`;
}

export function renderCustomers(plan: LoadPlan, from: number, to: number): CustomerRows {
  let customers = '';
  let defaultAddresses = '';
  let extraAddresses = '';
  for (let i = from; i < to; i++) {
    const rng = new Rng(plan.seed, Stream.customers, i);
    const id = plan.firstId.customer + i;
    const p = drawPerson(rng);
    const created = customerCreatedAt(plan, i);
    const updated = rng.chance(0.2) ? created + Math.floor(rng.next() * (plan.until - created)) : created;
    const createdText = timestamp(created);
    customers += `${id}\t${email(p, id)}\t${text(p.firstName)}\t${text(p.lastName)}\t${nullable(p.phone)}\t${createdText}\t${updated === created ? createdText : timestamp(updated)}\n`;

    defaultAddresses += `${defaultAddressId(plan, i)}\t${id}\t${addressText(drawAddress(rng, customerState(plan, i, created)))}\tt\t${createdText}\t${createdText}\n`;
    if (rng.chance(0.3)) {
      const at = timestamp(Math.min(plan.until, created + Math.floor(rng.next() * 90 * DAY_MS)));
      extraAddresses += `${id}\t${addressText(drawAddress(rng))}\tf\t${at}\t${at}\n`;
    }
  }
  return { customers, defaultAddresses, extraAddresses };
}
