-- The storefront: a small web shop whose rows the seeder creates and keeps changing, and whose
-- changes Debezium captures. Money is numeric(12,2), times are timestamptz, statuses are checked
-- so that only the life cycle the seeder follows can be stored:
--   orders:    placed -> paid -> shipped -> delivered, or placed|paid -> cancelled
--   payments:  captured (order paid), refunded (paid order cancelled)
--   shipments: in_transit (order shipped) -> delivered
-- Deleting a customer removes their addresses and orders (and the orders' items, payments and
-- shipments) by cascade; products are never deleted once sold (order_items restricts), they are
-- deactivated instead.

-- Keeps updated_at true for every writer, the seeder and a user's psql session alike.
CREATE FUNCTION touch_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

CREATE TABLE customers (
    id          bigint GENERATED ALWAYS AS IDENTITY,
    email       text        NOT NULL,
    first_name  text        NOT NULL,
    last_name   text        NOT NULL,
    phone       text,       -- null: the customer gave no phone number
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT customers_pk PRIMARY KEY (id),
    CONSTRAINT customers_email_uk UNIQUE (email)
);

CREATE TABLE addresses (
    id           bigint GENERATED ALWAYS AS IDENTITY,
    customer_id  bigint      NOT NULL,
    line1        text        NOT NULL,
    line2        text,       -- null: no second address line
    city         text        NOT NULL,
    region       text        NOT NULL,
    postal_code  text        NOT NULL,
    country_code char(2)     NOT NULL,
    is_default   boolean     NOT NULL DEFAULT FALSE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT addresses_pk PRIMARY KEY (id),
    CONSTRAINT addresses_customer_id_fk FOREIGN KEY (customer_id)
        REFERENCES customers (id) ON DELETE CASCADE
);
CREATE INDEX addresses_customer_id_ix ON addresses (customer_id);

CREATE TABLE categories (
    id         bigint GENERATED ALWAYS AS IDENTITY,
    parent_id  bigint,      -- null: a top-level category
    name       text        NOT NULL,
    slug       text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT categories_pk PRIMARY KEY (id),
    CONSTRAINT categories_slug_uk UNIQUE (slug),
    CONSTRAINT categories_parent_id_fk FOREIGN KEY (parent_id) REFERENCES categories (id)
);

CREATE TABLE products (
    id          bigint GENERATED ALWAYS AS IDENTITY,
    category_id bigint        NOT NULL,
    sku         text          NOT NULL,
    name        text          NOT NULL,
    description text          NOT NULL,
    price       numeric(12,2) NOT NULL,
    active      boolean       NOT NULL DEFAULT TRUE,
    created_at  timestamptz   NOT NULL DEFAULT now(),
    updated_at  timestamptz   NOT NULL DEFAULT now(),
    CONSTRAINT products_pk PRIMARY KEY (id),
    CONSTRAINT products_sku_uk UNIQUE (sku),
    CONSTRAINT products_category_id_fk FOREIGN KEY (category_id) REFERENCES categories (id),
    CONSTRAINT products_price_ck CHECK (price > 0)
);
CREATE INDEX products_category_id_ix ON products (category_id);

-- One stock row per product.
CREATE TABLE inventory (
    product_id bigint      NOT NULL,
    quantity   integer     NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT inventory_pk PRIMARY KEY (product_id),
    CONSTRAINT inventory_product_id_fk FOREIGN KEY (product_id)
        REFERENCES products (id) ON DELETE CASCADE,
    CONSTRAINT inventory_quantity_ck CHECK (quantity >= 0)
);

CREATE TABLE orders (
    id                  bigint GENERATED ALWAYS AS IDENTITY,
    customer_id         bigint        NOT NULL,
    shipping_address_id bigint,       -- null: the address was deleted after the order
    status              text          NOT NULL DEFAULT 'placed',
    currency            char(3)       NOT NULL DEFAULT 'USD',
    total               numeric(12,2) NOT NULL,
    placed_at           timestamptz   NOT NULL DEFAULT now(),
    created_at          timestamptz   NOT NULL DEFAULT now(),
    updated_at          timestamptz   NOT NULL DEFAULT now(),
    CONSTRAINT orders_pk PRIMARY KEY (id),
    CONSTRAINT orders_customer_id_fk FOREIGN KEY (customer_id)
        REFERENCES customers (id) ON DELETE CASCADE,
    CONSTRAINT orders_shipping_address_id_fk FOREIGN KEY (shipping_address_id)
        REFERENCES addresses (id) ON DELETE SET NULL,
    CONSTRAINT orders_status_ck
        CHECK (status IN ('placed', 'paid', 'shipped', 'delivered', 'cancelled')),
    CONSTRAINT orders_total_ck CHECK (total >= 0)
);
CREATE INDEX orders_customer_id_ix ON orders (customer_id);
CREATE INDEX orders_shipping_address_id_ix ON orders (shipping_address_id);
-- The delta generator picks "a random order in status X" as the first id at or after a random
-- point: (status, id) makes that one index probe.
CREATE INDEX orders_status_id_ix ON orders (status, id);

CREATE TABLE order_items (
    id         bigint GENERATED ALWAYS AS IDENTITY,
    order_id   bigint        NOT NULL,
    product_id bigint        NOT NULL,
    quantity   integer       NOT NULL,
    unit_price numeric(12,2) NOT NULL,
    created_at timestamptz   NOT NULL DEFAULT now(),
    CONSTRAINT order_items_pk PRIMARY KEY (id),
    CONSTRAINT order_items_order_id_fk FOREIGN KEY (order_id)
        REFERENCES orders (id) ON DELETE CASCADE,
    -- Sold products stay: deactivate a product instead of deleting it.
    CONSTRAINT order_items_product_id_fk FOREIGN KEY (product_id) REFERENCES products (id),
    CONSTRAINT order_items_order_product_uk UNIQUE (order_id, product_id),
    CONSTRAINT order_items_quantity_ck CHECK (quantity > 0),
    CONSTRAINT order_items_unit_price_ck CHECK (unit_price > 0)
);
-- No index on order_items.product_id, on purpose: products are never deleted, so the restrict
-- check that would use it never runs, and it would slow every load.

CREATE TABLE payments (
    id         bigint GENERATED ALWAYS AS IDENTITY,
    order_id   bigint        NOT NULL,
    method     text          NOT NULL,
    status     text          NOT NULL,
    amount     numeric(12,2) NOT NULL,
    paid_at    timestamptz   NOT NULL,
    created_at timestamptz   NOT NULL DEFAULT now(),
    updated_at timestamptz   NOT NULL DEFAULT now(),
    CONSTRAINT payments_pk PRIMARY KEY (id),
    CONSTRAINT payments_order_id_uk UNIQUE (order_id),
    CONSTRAINT payments_order_id_fk FOREIGN KEY (order_id)
        REFERENCES orders (id) ON DELETE CASCADE,
    CONSTRAINT payments_method_ck
        CHECK (method IN ('card', 'paypal', 'bank_transfer', 'gift_card')),
    CONSTRAINT payments_status_ck CHECK (status IN ('captured', 'refunded')),
    CONSTRAINT payments_amount_ck CHECK (amount >= 0)
);

CREATE TABLE shipments (
    id              bigint GENERATED ALWAYS AS IDENTITY,
    order_id        bigint      NOT NULL,
    carrier         text        NOT NULL,
    tracking_number text        NOT NULL,
    status          text        NOT NULL DEFAULT 'in_transit',
    shipped_at      timestamptz NOT NULL,
    delivered_at    timestamptz, -- null: not delivered yet
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT shipments_pk PRIMARY KEY (id),
    CONSTRAINT shipments_order_id_uk UNIQUE (order_id),
    CONSTRAINT shipments_order_id_fk FOREIGN KEY (order_id)
        REFERENCES orders (id) ON DELETE CASCADE,
    CONSTRAINT shipments_carrier_ck CHECK (carrier IN ('ups', 'fedex', 'dhl', 'usps')),
    CONSTRAINT shipments_status_ck CHECK (status IN ('in_transit', 'delivered')),
    CONSTRAINT shipments_delivered_ck CHECK ((status = 'delivered') = (delivered_at IS NOT NULL))
);

CREATE TRIGGER customers_touch BEFORE UPDATE ON customers
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE TRIGGER addresses_touch BEFORE UPDATE ON addresses
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE TRIGGER categories_touch BEFORE UPDATE ON categories
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE TRIGGER products_touch BEFORE UPDATE ON products
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE TRIGGER inventory_touch BEFORE UPDATE ON inventory
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE TRIGGER orders_touch BEFORE UPDATE ON orders
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE TRIGGER payments_touch BEFORE UPDATE ON payments
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE TRIGGER shipments_touch BEFORE UPDATE ON shipments
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
