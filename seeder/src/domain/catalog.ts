/**
 * The shop's category tree: reference data every load upserts by slug. Each leaf sells its own
 * kinds of product in a price range, so product names, categories and prices fit together.
 */
export interface Leaf {
  slug: string;
  name: string;
  parent: string;
  nouns: readonly string[];
  price: readonly [min: number, max: number];
}

export const departments = [
  { slug: 'home', name: 'Home' },
  { slug: 'electronics', name: 'Electronics' },
  { slug: 'fashion', name: 'Fashion' },
  { slug: 'sports', name: 'Sports & Outdoors' },
  { slug: 'toys', name: 'Toys & Games' },
] as const;

export const leaves: readonly Leaf[] = [
  {
    slug: 'furniture',
    name: 'Furniture',
    parent: 'home',
    nouns: ['Chair', 'Table', 'Sofa', 'Shelf', 'Desk'],
    price: [40, 900],
  },
  {
    slug: 'kitchen',
    name: 'Kitchen',
    parent: 'home',
    nouns: ['Kettle', 'Knife Set', 'Pan', 'Mug', 'Cutting Board'],
    price: [6, 160],
  },
  { slug: 'decor', name: 'Decor', parent: 'home', nouns: ['Lamp', 'Vase', 'Rug', 'Clock', 'Mirror'], price: [12, 300] },
  {
    slug: 'computers',
    name: 'Computers',
    parent: 'electronics',
    nouns: ['Laptop', 'Keyboard', 'Mouse', 'Monitor', 'Dock'],
    price: [15, 2200],
  },
  {
    slug: 'audio',
    name: 'Audio',
    parent: 'electronics',
    nouns: ['Headphones', 'Speaker', 'Microphone', 'Earbuds'],
    price: [20, 450],
  },
  {
    slug: 'phones',
    name: 'Phones',
    parent: 'electronics',
    nouns: ['Phone', 'Charger', 'Phone Case', 'Power Bank'],
    price: [9, 1300],
  },
  {
    slug: 'shoes',
    name: 'Shoes',
    parent: 'fashion',
    nouns: ['Sneakers', 'Boots', 'Sandals', 'Loafers'],
    price: [25, 240],
  },
  {
    slug: 'clothing',
    name: 'Clothing',
    parent: 'fashion',
    nouns: ['Shirt', 'Jacket', 'Hoodie', 'Pants', 'Sweater'],
    price: [12, 280],
  },
  {
    slug: 'accessories',
    name: 'Accessories',
    parent: 'fashion',
    nouns: ['Hat', 'Gloves', 'Scarf', 'Wallet', 'Belt'],
    price: [8, 120],
  },
  {
    slug: 'outdoor',
    name: 'Outdoor',
    parent: 'sports',
    nouns: ['Tent', 'Backpack', 'Bottle', 'Sleeping Bag'],
    price: [10, 600],
  },
  {
    slug: 'fitness',
    name: 'Fitness',
    parent: 'sports',
    nouns: ['Yoga Mat', 'Dumbbell', 'Ball', 'Jump Rope'],
    price: [7, 200],
  },
  {
    slug: 'cycling',
    name: 'Cycling',
    parent: 'sports',
    nouns: ['Bike', 'Helmet', 'Bike Light', 'Saddle'],
    price: [15, 1800],
  },
  { slug: 'puzzles', name: 'Puzzles', parent: 'toys', nouns: ['Puzzle', 'Brain Teaser', 'Cube'], price: [5, 60] },
  {
    slug: 'outdoor-toys',
    name: 'Outdoor Toys',
    parent: 'toys',
    nouns: ['Kite', 'Frisbee', 'Water Gun'],
    price: [6, 80],
  },
];
