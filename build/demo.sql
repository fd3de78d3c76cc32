-- Sample database for `build.ps1 -Task Demo`: several schemas, a few thousand rows with
-- jsonb, bytea and non-ASCII text, a large object, sequences, a view and a function.
\set ON_ERROR_STOP on

CREATE SCHEMA crm;
CREATE SCHEMA sales;
CREATE SCHEMA audit;

CREATE TYPE sales.order_status AS ENUM ('new', 'paid', 'shipped', 'cancelled');

CREATE TABLE crm.customers (
    id          serial PRIMARY KEY,
    name        text NOT NULL,
    email       text UNIQUE NOT NULL,
    country     char(2) NOT NULL,
    profile     jsonb NOT NULL,
    avatar      bytea,
    created_at  timestamptz NOT NULL
);

CREATE TABLE sales.products (
    id     serial PRIMARY KEY,
    sku    text UNIQUE NOT NULL,
    title  text NOT NULL,
    price  numeric(10,2) NOT NULL CHECK (price > 0)
);

CREATE TABLE sales.orders (
    id           bigserial PRIMARY KEY,
    customer_id  int NOT NULL REFERENCES crm.customers(id),
    status       sales.order_status NOT NULL,
    ordered_at   timestamptz NOT NULL,
    note         text
);

CREATE TABLE sales.order_items (
    order_id    bigint NOT NULL REFERENCES sales.orders(id) ON DELETE CASCADE,
    line_no     int NOT NULL,
    product_id  int NOT NULL REFERENCES sales.products(id),
    quantity    int NOT NULL CHECK (quantity > 0),
    unit_price  numeric(10,2) NOT NULL,
    PRIMARY KEY (order_id, line_no)
);
CREATE INDEX ON sales.orders (customer_id);
CREATE INDEX ON sales.order_items (product_id);

CREATE TABLE audit.events (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    happened_at timestamptz NOT NULL,
    payload     jsonb NOT NULL
);

CREATE SEQUENCE sales.invoice_number_seq START 100000;

CREATE TABLE sales.documents (
    id        serial PRIMARY KEY,
    title     text NOT NULL,
    content   oid NOT NULL   -- a large object
);

-- 3,000 customers with names in several scripts
INSERT INTO crm.customers (name, email, country, profile, avatar, created_at)
SELECT (ARRAY['Zoë','Łukasz','Ólafur','Ángel','Müller','Søren','Дмитрий','山田 太郎','Αθηνά','Chloé','José','Fatma Şahin','Nguyễn Văn A','محمد','Emoji 🐘'])[1 + i % 15]
         || ' #' || i,
       'customer' || i || '@example.test',
       (ARRAY['DE','PL','IS','ES','DK','RU','JP','GR','FR','TR','VN','EG','US'])[1 + i % 13],
       jsonb_build_object('tier', (ARRAY['bronze','silver','gold'])[1 + i % 3],
                          'newsletter', i % 2 = 0,
                          'tags', jsonb_build_array('t' || (i % 7), 't' || (i % 11)),
                          'address', jsonb_build_object('street', 'Straße ' || i, 'zip', lpad((i * 37 % 99999)::text, 5, '0'))),
       CASE WHEN i % 4 = 0 THEN decode(md5(i::text) || md5((i * 7)::text), 'hex') END,
       timestamptz '2023-01-01 00:00:00+00' + (i || ' hours')::interval
FROM generate_series(1, 3000) AS i;

INSERT INTO sales.products (sku, title, price)
SELECT 'SKU-' || lpad(i::text, 4, '0'),
       (ARRAY['Kaffeebecher','Teekanne','Ручка','ノート','Crème','Ağaç kalem'])[1 + i % 6] || ' ' || i,
       round((1 + (i * 7919 % 10000) / 100.0)::numeric, 2)
FROM generate_series(1, 200) AS i;

-- 8,000 orders, 2-4 lines each
INSERT INTO sales.orders (customer_id, status, ordered_at, note)
SELECT 1 + (i * 7 % 3000),
       (ARRAY['new','paid','shipped','cancelled']::sales.order_status[])[1 + i % 4],
       timestamptz '2024-01-01 00:00:00+00' + (i * 17 || ' minutes')::interval,
       CASE WHEN i % 10 = 0 THEN 'Bitte klingeln – 2. OG ✓' END
FROM generate_series(1, 8000) AS i;

INSERT INTO sales.order_items (order_id, line_no, product_id, quantity, unit_price)
SELECT o.id, l, 1 + ((o.id * 31 + l * 17) % 200), 1 + (o.id + l) % 5, p.price
FROM sales.orders o
CROSS JOIN LATERAL generate_series(1, 2 + (o.id % 3)::int) AS l
JOIN sales.products p ON p.id = 1 + ((o.id * 31 + l * 17) % 200);

INSERT INTO audit.events (happened_at, payload)
SELECT timestamptz '2024-06-01 00:00:00+00' + (i || ' seconds')::interval,
       jsonb_build_object('kind', (ARRAY['login','logout','order','refund'])[1 + i % 4], 'customer', 1 + i % 3000, 'ip', '127.0.0.' || (1 + i % 250))
FROM generate_series(1, 2500) AS i;

DO $$ BEGIN PERFORM setval('sales.invoice_number_seq', 104242); END $$;

INSERT INTO sales.documents (title, content)
VALUES ('Allgemeine Geschäftsbedingungen', lo_from_bytea(0, convert_to(repeat('§ 1 Geltungsbereich. Diese AGB gelten für alle Bestellungen. ', 2000), 'UTF8')));

CREATE VIEW sales.order_totals AS
SELECT o.id, o.customer_id, o.status, sum(i.quantity * i.unit_price) AS total
FROM sales.orders o JOIN sales.order_items i ON i.order_id = o.id
GROUP BY o.id;

CREATE FUNCTION sales.next_invoice_number() RETURNS bigint LANGUAGE sql AS $$ SELECT nextval('sales.invoice_number_seq') $$;

COMMENT ON TABLE crm.customers IS 'Kunden – customers (demo data)';
ANALYZE;
