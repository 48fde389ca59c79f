/** The storefront tables, in foreign-key order (parents first). */
export const tables = [
  'customers',
  'addresses',
  'categories',
  'products',
  'inventory',
  'orders',
  'order_items',
  'payments',
  'shipments',
] as const;

export type Table = (typeof tables)[number];

const addressColumns = [
  'customer_id',
  'line1',
  'line2',
  'city',
  'region',
  'postal_code',
  'country_code',
  'is_default',
  'created_at',
  'updated_at',
] as const;

export const columns = {
  customers: ['id', 'email', 'first_name', 'last_name', 'phone', 'created_at', 'updated_at'],
  /** Default addresses carry their reserved ids; extra ones take ids from the identity. */
  addressesWithId: ['id', ...addressColumns],
  addresses: addressColumns,
  products: ['id', 'category_id', 'sku', 'name', 'description', 'price', 'active', 'created_at', 'updated_at'],
  inventory: ['product_id', 'quantity', 'updated_at'],
  orders: [
    'id',
    'customer_id',
    'shipping_address_id',
    'status',
    'currency',
    'total',
    'placed_at',
    'created_at',
    'updated_at',
  ],
  orderItems: ['order_id', 'product_id', 'quantity', 'unit_price', 'created_at'],
  payments: ['order_id', 'method', 'status', 'amount', 'paid_at', 'created_at', 'updated_at'],
  shipments: [
    'order_id',
    'carrier',
    'tracking_number',
    'status',
    'shipped_at',
    'delivered_at',
    'created_at',
    'updated_at',
  ],
} as const;
