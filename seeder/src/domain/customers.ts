import { nullable, text, timestamp } from './copy-text.js';
import { DAY_MS, historyStart, type LoadPlan } from './plan.js';
import { wordLists } from './word-lists.js';
import { Rng, Stream, unit } from './random.js';

/** Customers sign up evenly over the history, in id order. */
export function customerCreatedAt(plan: LoadPlan, index: number): number {
  const start = historyStart(plan);
  const frac = (index + unit(plan.seed, Stream.customers, index)) / plan.customers;
  return Math.floor(start + frac * (plan.until - start));
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
  rows: number;
}

export function addressFields(rng: Rng): string {
  const street = `${rng.digits(rng.pick(['####', '###', '#####']))} ${rng.pick(wordLists.streetNames)} ${rng.pick(wordLists.streetSuffixes)}`;
  const line2 = rng.chance(0.25) ? rng.digits(rng.pick(['Apt. ###', 'Suite ###'])) : null;
  return `${text(street)}\t${nullable(line2)}\t${text(rng.pick(wordLists.cities))}\t${rng.pick(wordLists.states)}\t${rng.digits('#####')}\tUS`;
}

export function renderCustomers(plan: LoadPlan, from: number, to: number): CustomerRows {
  let customers = '';
  let defaultAddresses = '';
  let extraAddresses = '';
  let rows = 0;
  for (let i = from; i < to; i++) {
    const rng = new Rng(plan.seed, Stream.customers, i);
    const id = plan.firstId.customer + i;
    const first = rng.pick(wordLists.firstNames);
    const last = rng.pick(wordLists.lastNames);
    const email = `${first}.${last}${id}@${rng.pick(wordLists.emailDomains)}`
      .toLowerCase()
      .replace(/[^a-z0-9.@-]/g, '');
    const phone = rng.chance(0.8) ? rng.digits('+1-###-###-####') : null;
    const created = customerCreatedAt(plan, i);
    const updated = rng.chance(0.2) ? created + Math.floor(rng.next() * (plan.until - created)) : created;
    customers += `${id}\t${email}\t${text(first)}\t${text(last)}\t${nullable(phone)}\t${timestamp(created)}\t${timestamp(updated)}\n`;

    const addressCreated = timestamp(created);
    defaultAddresses += `${defaultAddressId(plan, i)}\t${id}\t${addressFields(rng)}\tt\t${addressCreated}\t${addressCreated}\n`;
    rows += 2;
    if (rng.chance(0.3)) {
      const at = timestamp(Math.min(plan.until, created + Math.floor(rng.next() * 90 * DAY_MS)));
      extraAddresses += `${id}\t${addressFields(rng)}\tf\t${at}\t${at}\n`;
      rows += 1;
    }
  }
  return { customers, defaultAddresses, extraAddresses, rows };
}
