-- Sample orders: customers and suppliers with contacts, approved sources,
-- sales orders, purchase orders and a demand forecast.
-- Needs 00_reference_data and 01_test_data. Contact data is fictitious.
-- Idempotent: keyed by natural codes and order numbers.

INSERT INTO suppliers (supplier_code, name, contact_name, email, phone, address_line1, city, country_code, currency_code, payment_terms, rating) VALUES
    ('SUP-ALCO', 'Alcotube Metals Ltd', 'Priya Raman', 'orders@alcotube.example.com', '+44 20 7946 0101', '12 Foundry Lane', 'Sheffield', 'GB', 'GBP', 'NET30', 'A'),
    ('SUP-SPKW', 'Spokeworks GmbH', 'Jonas Weber', 'vertrieb@spokeworks.example.de', '+49 30 901820', 'Radstrasse 4', 'Berlin', 'DE', 'EUR', 'NET45', 'A'),
    ('SUP-TIRE', 'Pacific Tire & Rubber Co', 'Mei Chen', 'sales@pactire.example.cn', '+86 21 5555 0188', '88 Harbour Rd', 'Shanghai', 'CN', 'USD', 'NET60', 'B'),
    ('SUP-FAST', 'Midwest Fasteners Inc', 'Dale O''Connor', 'dale@mwfast.example.com', '+1 312 555 0142', '4100 W Lake St', 'Chicago', 'US', 'USD', 'NET30', 'B'),
    ('SUP-PACK', 'BoxRight Packaging', 'Ana Souza', 'ana.souza@boxright.example.com', '+1 614 555 0199', '22 Carton Ave', 'Columbus', 'US', 'USD', 'NET15', 'C')
ON DUPLICATE KEY UPDATE
    name = VALUES(name), contact_name = VALUES(contact_name), email = VALUES(email), phone = VALUES(phone),
    address_line1 = VALUES(address_line1), city = VALUES(city), country_code = VALUES(country_code),
    currency_code = VALUES(currency_code), payment_terms = VALUES(payment_terms), rating = VALUES(rating);

INSERT INTO supplier_items (supplier_id, item_id, supplier_part_no, unit_price, currency_code, min_order_qty, lead_time_days, is_preferred) VALUES
    ((SELECT id FROM suppliers WHERE supplier_code = 'SUP-ALCO'), (SELECT id FROM items WHERE item_code = 'RM-TUBE-AL'), 'AT-6061-32-15', 4.9500, 'GBP', 60, 14, TRUE),
    ((SELECT id FROM suppliers WHERE supplier_code = 'SUP-ALCO'), (SELECT id FROM items WHERE item_code = 'RM-ALU-SHEET'), 'AS-5052-2', 3.2000, 'GBP', 100, 21, TRUE),
    ((SELECT id FROM suppliers WHERE supplier_code = 'SUP-SPKW'), (SELECT id FROM items WHERE item_code = 'RM-SPOKE'), 'SW-20-292', 0.1600, 'EUR', 1000, 30, TRUE),
    ((SELECT id FROM suppliers WHERE supplier_code = 'SUP-SPKW'), (SELECT id FROM items WHERE item_code = 'RM-RIM-700'), 'SW-R700-32', 10.1000, 'EUR', 50, 30, TRUE),
    ((SELECT id FROM suppliers WHERE supplier_code = 'SUP-TIRE'), (SELECT id FROM items WHERE item_code = 'RM-TIRE-700'), 'PT-70035', 9.4000, 'USD', 20, 21, TRUE),
    ((SELECT id FROM suppliers WHERE supplier_code = 'SUP-TIRE'), (SELECT id FROM items WHERE item_code = 'RM-TIRE-200'), 'PT-PU200', 0.3100, 'USD', 100, 28, TRUE),
    ((SELECT id FROM suppliers WHERE supplier_code = 'SUP-FAST'), (SELECT id FROM items WHERE item_code = 'HW-BOLT-M6'), 'HB-M6X20-Z', 0.0400, 'USD', 1000, 10, TRUE),
    ((SELECT id FROM suppliers WHERE supplier_code = 'SUP-FAST'), (SELECT id FROM items WHERE item_code = 'HW-HUB'), 'SB-HUB-8', 3.6000, 'USD', 50, 28, TRUE),
    ((SELECT id FROM suppliers WHERE supplier_code = 'SUP-PACK'), (SELECT id FROM items WHERE item_code = 'PK-BOX-L'), 'BR-L-1200', 3.2000, 'USD', 100, 7, TRUE),
    ((SELECT id FROM suppliers WHERE supplier_code = 'SUP-PACK'), (SELECT id FROM items WHERE item_code = 'PK-BOX-M'), 'BR-M-0600', 1.9000, 'USD', 100, 7, TRUE)
ON DUPLICATE KEY UPDATE
    supplier_part_no = VALUES(supplier_part_no), unit_price = VALUES(unit_price), currency_code = VALUES(currency_code),
    min_order_qty = VALUES(min_order_qty), lead_time_days = VALUES(lead_time_days), is_preferred = VALUES(is_preferred);

INSERT INTO customers (customer_code, name, contact_name, email, phone, billing_address, shipping_address, country_code, currency_code, credit_limit) VALUES
    ('CUST-URBAN', 'Urban Cycles Retail', 'Sam Patel', 'purchasing@urbancycles.example.com', '+1 415 555 0123', '500 Market St, San Francisco CA', '12 Dock Rd, Oakland CA', 'US', 'USD', 50000.00),
    ('CUST-VELO', 'Velo Europa SARL', 'Claire Dubois', 'c.dubois@veloeuropa.example.fr', '+33 1 70 00 12 34', '18 rue du Cycle, Paris', '18 rue du Cycle, Paris', 'FR', 'EUR', 80000.00),
    ('CUST-CAMPUS', 'Campus Mobility Co-op', 'Lee Kim', 'lee.kim@campusmobility.example.org', '+1 617 555 0177', '1 University Ave, Boston MA', NULL, 'US', 'USD', 15000.00),
    ('CUST-HARDW', 'Hardware Depot', 'Rosa Martinez', 'rmartinez@hwdepot.example.mx', '+52 55 5555 0110', 'Av. Reforma 300, CDMX', 'Bodega 7, Tlalnepantla', 'MX', 'MXN', 250000.00)
ON DUPLICATE KEY UPDATE
    name = VALUES(name), contact_name = VALUES(contact_name), email = VALUES(email), phone = VALUES(phone),
    billing_address = VALUES(billing_address), shipping_address = VALUES(shipping_address),
    country_code = VALUES(country_code), currency_code = VALUES(currency_code), credit_limit = VALUES(credit_limit);

INSERT INTO sales_orders (order_no, customer_id, order_date, requested_date, status, currency_code, customer_po) VALUES
    ('SO-10001', (SELECT id FROM customers WHERE customer_code = 'CUST-URBAN'), '2024-05-28', '2024-06-17', 'confirmed', 'USD', 'UC-7781'),
    ('SO-10002', (SELECT id FROM customers WHERE customer_code = 'CUST-VELO'), '2024-05-30', '2024-06-28', 'confirmed', 'EUR', 'VE/2024/311'),
    ('SO-10003', (SELECT id FROM customers WHERE customer_code = 'CUST-CAMPUS'), '2024-06-01', '2024-07-15', 'draft', 'USD', NULL),
    ('SO-10004', (SELECT id FROM customers WHERE customer_code = 'CUST-HARDW'), '2024-06-03', '2024-06-21', 'in_production', 'MXN', 'HD-55012')
ON DUPLICATE KEY UPDATE
    customer_id = VALUES(customer_id), order_date = VALUES(order_date), requested_date = VALUES(requested_date),
    status = VALUES(status), currency_code = VALUES(currency_code), customer_po = VALUES(customer_po);

INSERT INTO sales_order_lines (sales_order_id, line_no, item_id, quantity, unit_price, due_date) VALUES
    ((SELECT id FROM sales_orders WHERE order_no = 'SO-10001'), 1, (SELECT id FROM items WHERE item_code = 'FG-BIKE-100'), 40, 449.0000, '2024-06-17'),
    ((SELECT id FROM sales_orders WHERE order_no = 'SO-10001'), 2, (SELECT id FROM items WHERE item_code = 'FG-SCOOT-10'), 25, 129.0000, '2024-06-17'),
    ((SELECT id FROM sales_orders WHERE order_no = 'SO-10002'), 1, (SELECT id FROM items WHERE item_code = 'FG-BIKE-100'), 60, 415.0000, '2024-06-28'),
    ((SELECT id FROM sales_orders WHERE order_no = 'SO-10003'), 1, (SELECT id FROM items WHERE item_code = 'FG-SCOOT-10'), 120, 119.0000, '2024-07-15'),
    ((SELECT id FROM sales_orders WHERE order_no = 'SO-10004'), 1, (SELECT id FROM items WHERE item_code = 'FG-CART-50'), 200, 1790.0000, '2024-06-21'),
    ((SELECT id FROM sales_orders WHERE order_no = 'SO-10004'), 2, (SELECT id FROM items WHERE item_code = 'FG-SCOOT-10'), 30, 2350.0000, '2024-06-21')
ON DUPLICATE KEY UPDATE
    item_id = VALUES(item_id), quantity = VALUES(quantity), unit_price = VALUES(unit_price), due_date = VALUES(due_date);

INSERT INTO purchase_orders (po_no, supplier_id, order_date, status, currency_code, ship_to_warehouse_id, notes) VALUES
    ('PO-50001', (SELECT id FROM suppliers WHERE supplier_code = 'SUP-ALCO'), '2024-05-20', 'acknowledged', 'GBP', (SELECT id FROM warehouses WHERE warehouse_code = 'MAIN'), NULL),
    ('PO-50002', (SELECT id FROM suppliers WHERE supplier_code = 'SUP-SPKW'), '2024-05-22', 'partially_received', 'EUR', (SELECT id FROM warehouses WHERE warehouse_code = 'MAIN'), 'Split delivery agreed'),
    ('PO-50003', (SELECT id FROM suppliers WHERE supplier_code = 'SUP-FAST'), '2024-06-01', 'sent', 'USD', (SELECT id FROM warehouses WHERE warehouse_code = 'MAIN'), NULL),
    ('PO-50004', (SELECT id FROM suppliers WHERE supplier_code = 'SUP-TIRE'), '2024-06-02', 'draft', 'USD', (SELECT id FROM warehouses WHERE warehouse_code = 'EAST'), 'Consolidate with next container')
ON DUPLICATE KEY UPDATE
    supplier_id = VALUES(supplier_id), order_date = VALUES(order_date), status = VALUES(status),
    currency_code = VALUES(currency_code), ship_to_warehouse_id = VALUES(ship_to_warehouse_id), notes = VALUES(notes);

INSERT INTO purchase_order_lines (purchase_order_id, line_no, item_id, quantity, unit_price, quantity_received, due_date) VALUES
    ((SELECT id FROM purchase_orders WHERE po_no = 'PO-50001'), 1, (SELECT id FROM items WHERE item_code = 'RM-TUBE-AL'), 240, 4.950000, 0, '2024-06-05'),
    ((SELECT id FROM purchase_orders WHERE po_no = 'PO-50001'), 2, (SELECT id FROM items WHERE item_code = 'RM-ALU-SHEET'), 300, 3.200000, 0, '2024-06-12'),
    ((SELECT id FROM purchase_orders WHERE po_no = 'PO-50002'), 1, (SELECT id FROM items WHERE item_code = 'RM-SPOKE'), 5000, 0.162500, 2500, '2024-06-10'),
    ((SELECT id FROM purchase_orders WHERE po_no = 'PO-50002'), 2, (SELECT id FROM items WHERE item_code = 'RM-RIM-700'), 200, 10.100000, 200, '2024-06-10'),
    ((SELECT id FROM purchase_orders WHERE po_no = 'PO-50003'), 1, (SELECT id FROM items WHERE item_code = 'HW-BOLT-M6'), 10000, 0.038750, 0, '2024-06-11'),
    ((SELECT id FROM purchase_orders WHERE po_no = 'PO-50004'), 1, (SELECT id FROM items WHERE item_code = 'RM-TIRE-200'), 1000, 0.310000, 0, '2024-07-02')
ON DUPLICATE KEY UPDATE
    item_id = VALUES(item_id), quantity = VALUES(quantity), unit_price = VALUES(unit_price),
    quantity_received = VALUES(quantity_received), due_date = VALUES(due_date);

INSERT INTO demand_forecasts (item_id, warehouse_id, period_start, forecast_qty, source) VALUES
    ((SELECT id FROM items WHERE item_code = 'FG-BIKE-100'), (SELECT id FROM warehouses WHERE warehouse_code = 'MAIN'), '2024-07-01', 120, 'statistical'),
    ((SELECT id FROM items WHERE item_code = 'FG-BIKE-100'), (SELECT id FROM warehouses WHERE warehouse_code = 'MAIN'), '2024-08-01', 140, 'statistical'),
    ((SELECT id FROM items WHERE item_code = 'FG-SCOOT-10'), (SELECT id FROM warehouses WHERE warehouse_code = 'EAST'), '2024-07-01', 300, 'manual'),
    ((SELECT id FROM items WHERE item_code = 'FG-CART-50'), (SELECT id FROM warehouses WHERE warehouse_code = 'MAIN'), '2024-07-01', 180, 'customer')
ON DUPLICATE KEY UPDATE forecast_qty = VALUES(forecast_qty), source = VALUES(source);
