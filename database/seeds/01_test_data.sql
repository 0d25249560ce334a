-- Test data: warehouses, items and multi-level bills of materials for three
-- products (city bicycle, kick scooter, utility cart), with some stock.
-- Needs 00_reference_data. Idempotent: keyed by natural codes.

INSERT INTO warehouses (warehouse_code, name, address, is_active) VALUES
    ('MAIN', 'Main plant', '100 Industrial Way, Springfield', TRUE),
    ('EAST', 'East distribution center', '7 Harbor Road, Eastport', TRUE)
ON DUPLICATE KEY UPDATE name = VALUES(name), address = VALUES(address), is_active = VALUES(is_active);

INSERT INTO locations (warehouse_id, location_code, location_type, is_nettable) VALUES
    ((SELECT id FROM warehouses WHERE warehouse_code = 'MAIN'), 'RCV-01', 'receiving', TRUE),
    ((SELECT id FROM warehouses WHERE warehouse_code = 'MAIN'), 'A-01-01', 'storage', TRUE),
    ((SELECT id FROM warehouses WHERE warehouse_code = 'MAIN'), 'A-01-02', 'storage', TRUE),
    ((SELECT id FROM warehouses WHERE warehouse_code = 'MAIN'), 'WIP-01', 'production', TRUE),
    ((SELECT id FROM warehouses WHERE warehouse_code = 'MAIN'), 'QC-HOLD', 'quarantine', FALSE),
    ((SELECT id FROM warehouses WHERE warehouse_code = 'MAIN'), 'SHIP-01', 'shipping', TRUE),
    ((SELECT id FROM warehouses WHERE warehouse_code = 'EAST'), 'B-01-01', 'storage', TRUE)
ON DUPLICATE KEY UPDATE location_type = VALUES(location_type), is_nettable = VALUES(is_nettable);

INSERT INTO items (item_code, description, item_type_id, uom_id, make_or_buy, lot_sizing_rule,
                   fixed_lot_qty, min_order_qty, order_multiple, lead_time_days, safety_stock_qty,
                   standard_cost, cost_currency, weight_kg, is_lot_tracked, attributes) VALUES
    ('FG-BIKE-100', 'City bicycle, 7 speed, 700c', (SELECT id FROM item_types WHERE type_code = 'FG'), (SELECT id FROM units_of_measure WHERE uom_code = 'EA'), 'make', 'lot_for_lot', NULL, 0, 1, 5, 10, 212.5000, 'USD', 13.2000, FALSE, '{"color": "graphite", "frame_size_cm": 54}'),
    ('FG-SCOOT-10', 'Kick scooter, 200 mm wheels', (SELECT id FROM item_types WHERE type_code = 'FG'), (SELECT id FROM units_of_measure WHERE uom_code = 'EA'), 'make', 'fixed_order_qty', 50, 0, 1, 3, 20, 64.8000, 'USD', 4.1000, FALSE, '{"max_load_kg": 100}'),
    ('FG-CART-50', 'Utility cart, 50 kg load', (SELECT id FROM item_types WHERE type_code = 'FG'), (SELECT id FROM units_of_measure WHERE uom_code = 'EA'), 'make', 'lot_for_lot', NULL, 0, 1, 4, 5, 48.2000, 'USD', 9.8000, FALSE, NULL),
    ('SA-FRAME-100', 'Bicycle frame, welded and painted', (SELECT id FROM item_types WHERE type_code = 'SA'), (SELECT id FROM units_of_measure WHERE uom_code = 'EA'), 'make', 'period_order_qty', NULL, 0, 1, 4, 5, 74.0000, 'USD', 2.1000, TRUE, NULL),
    ('SA-WHEEL-700', 'Wheel 700c, laced and trued', (SELECT id FROM item_types WHERE type_code = 'SA'), (SELECT id FROM units_of_measure WHERE uom_code = 'EA'), 'make', 'lot_for_lot', NULL, 0, 1, 2, 20, 38.5000, 'USD', 1.3000, FALSE, NULL),
    ('SA-WHEEL-200', 'Wheel 200 mm with bearing hub', (SELECT id FROM item_types WHERE type_code = 'SA'), (SELECT id FROM units_of_measure WHERE uom_code = 'EA'), 'make', 'fixed_order_qty', 200, 0, 1, 2, 40, 7.9000, 'USD', 0.4000, FALSE, NULL),
    ('SA-DECK-10', 'Scooter deck, folded aluminium', (SELECT id FROM item_types WHERE type_code = 'SA'), (SELECT id FROM units_of_measure WHERE uom_code = 'EA'), 'make', 'lot_for_lot', NULL, 0, 1, 2, 10, 18.4000, 'USD', 1.6000, FALSE, NULL),
    ('RM-TUBE-AL', 'Aluminium tube 6061, 32 mm', (SELECT id FROM item_types WHERE type_code = 'RM'), (SELECT id FROM units_of_measure WHERE uom_code = 'M'), 'buy', 'economic_order_qty', NULL, 60, 6, 14, 30, 6.2500, 'USD', NULL, TRUE, '{"alloy": "6061-T6", "wall_mm": 1.5}'),
    ('RM-ALU-SHEET', 'Aluminium sheet 2 mm', (SELECT id FROM item_types WHERE type_code = 'RM'), (SELECT id FROM units_of_measure WHERE uom_code = 'KG'), 'buy', 'min_max', NULL, 100, 25, 21, 50, 4.1000, 'USD', NULL, TRUE, NULL),
    ('RM-STEEL-SHEET', 'Steel sheet 1.5 mm', (SELECT id FROM item_types WHERE type_code = 'RM'), (SELECT id FROM units_of_measure WHERE uom_code = 'KG'), 'buy', 'min_max', NULL, 200, 50, 10, 80, 1.3500, 'USD', NULL, FALSE, NULL),
    ('RM-PAINT-GR', 'Powder coat, graphite', (SELECT id FROM item_types WHERE type_code = 'RM'), (SELECT id FROM units_of_measure WHERE uom_code = 'KG'), 'buy', 'lot_for_lot', NULL, 20, 5, 7, 10, 9.8000, 'EUR', NULL, TRUE, NULL),
    ('RM-RIM-700', 'Rim 700c, 32 hole', (SELECT id FROM item_types WHERE type_code = 'RM'), (SELECT id FROM units_of_measure WHERE uom_code = 'EA'), 'buy', 'lot_for_lot', NULL, 50, 10, 30, 40, 11.0000, 'USD', 0.4500, FALSE, NULL),
    ('RM-SPOKE', 'Spoke 2.0 mm stainless', (SELECT id FROM item_types WHERE type_code = 'RM'), (SELECT id FROM units_of_measure WHERE uom_code = 'EA'), 'buy', 'fixed_order_qty', 5000, 1000, 100, 30, 1000, 0.1800, 'USD', 0.0070, FALSE, NULL),
    ('RM-TIRE-700', 'Tire 700x35c', (SELECT id FROM item_types WHERE type_code = 'RM'), (SELECT id FROM units_of_measure WHERE uom_code = 'EA'), 'buy', 'lot_for_lot', NULL, 20, 10, 21, 40, 9.4000, 'USD', 0.4200, FALSE, NULL),
    ('RM-TIRE-200', 'PU wheel tire 200 mm', (SELECT id FROM item_types WHERE type_code = 'RM'), (SELECT id FROM units_of_measure WHERE uom_code = 'EA'), 'buy', 'lot_for_lot', NULL, 100, 50, 28, 100, 2.1000, 'CNY', 0.1500, FALSE, NULL),
    ('HW-HUB', 'Sealed bearing hub', (SELECT id FROM item_types WHERE type_code = 'HW'), (SELECT id FROM units_of_measure WHERE uom_code = 'EA'), 'buy', 'lot_for_lot', NULL, 50, 10, 28, 60, 3.6000, 'USD', 0.2500, FALSE, NULL),
    ('HW-CHAIN-8S', 'Chain 8 speed, 116 links', (SELECT id FROM item_types WHERE type_code = 'HW'), (SELECT id FROM units_of_measure WHERE uom_code = 'EA'), 'buy', 'lot_for_lot', NULL, 25, 25, 14, 20, 7.7500, 'USD', 0.3000, FALSE, NULL),
    ('HW-BOLT-M6', 'Hex bolt M6x20, zinc', (SELECT id FROM item_types WHERE type_code = 'HW'), (SELECT id FROM units_of_measure WHERE uom_code = 'EA'), 'buy', 'fixed_order_qty', 10000, 1000, 500, 10, 2000, 0.0400, 'USD', 0.0050, FALSE, NULL),
    ('PK-BOX-L', 'Shipping carton, large', (SELECT id FROM item_types WHERE type_code = 'PK'), (SELECT id FROM units_of_measure WHERE uom_code = 'EA'), 'buy', 'min_max', NULL, 100, 50, 7, 50, 3.2000, 'USD', 1.1000, FALSE, NULL),
    ('PK-BOX-M', 'Shipping carton, medium', (SELECT id FROM item_types WHERE type_code = 'PK'), (SELECT id FROM units_of_measure WHERE uom_code = 'EA'), 'buy', 'min_max', NULL, 100, 50, 7, 50, 1.9000, 'USD', 0.6000, FALSE, NULL)
ON DUPLICATE KEY UPDATE
    description = VALUES(description), item_type_id = VALUES(item_type_id), uom_id = VALUES(uom_id),
    make_or_buy = VALUES(make_or_buy), lot_sizing_rule = VALUES(lot_sizing_rule),
    fixed_lot_qty = VALUES(fixed_lot_qty), min_order_qty = VALUES(min_order_qty),
    order_multiple = VALUES(order_multiple), lead_time_days = VALUES(lead_time_days),
    safety_stock_qty = VALUES(safety_stock_qty), standard_cost = VALUES(standard_cost),
    cost_currency = VALUES(cost_currency), weight_kg = VALUES(weight_kg),
    is_lot_tracked = VALUES(is_lot_tracked), attributes = VALUES(attributes);

-- One released revision A for every made item.
INSERT INTO bom_headers (item_id, revision, status, base_quantity, effective_from, notes) VALUES
    ((SELECT id FROM items WHERE item_code = 'FG-BIKE-100'), 'A', 'released', 1, '2024-01-01', 'Top level: city bicycle'),
    ((SELECT id FROM items WHERE item_code = 'FG-SCOOT-10'), 'A', 'released', 1, '2024-01-01', 'Top level: kick scooter'),
    ((SELECT id FROM items WHERE item_code = 'FG-CART-50'), 'A', 'released', 1, '2024-03-01', 'Top level: utility cart'),
    ((SELECT id FROM items WHERE item_code = 'SA-FRAME-100'), 'A', 'released', 1, '2024-01-01', NULL),
    ((SELECT id FROM items WHERE item_code = 'SA-WHEEL-700'), 'A', 'released', 1, '2024-01-01', NULL),
    ((SELECT id FROM items WHERE item_code = 'SA-WHEEL-200'), 'A', 'released', 1, '2024-01-01', NULL),
    ((SELECT id FROM items WHERE item_code = 'SA-DECK-10'), 'A', 'released', 1, '2024-01-01', NULL)
ON DUPLICATE KEY UPDATE
    status = VALUES(status), base_quantity = VALUES(base_quantity),
    effective_from = VALUES(effective_from), notes = VALUES(notes);

-- Levels: FG -> SA -> RM/HW. Wheels are shared between products.
INSERT INTO bom_lines (bom_id, line_no, component_item_id, quantity_per, scrap_factor, effective_from, effective_to) VALUES
    ((SELECT b.id FROM bom_headers b JOIN items p ON p.id = b.item_id WHERE p.item_code = 'FG-BIKE-100' AND b.revision = 'A'), 10, (SELECT id FROM items WHERE item_code = 'SA-FRAME-100'), 1, 0, NULL, NULL),
    ((SELECT b.id FROM bom_headers b JOIN items p ON p.id = b.item_id WHERE p.item_code = 'FG-BIKE-100' AND b.revision = 'A'), 20, (SELECT id FROM items WHERE item_code = 'SA-WHEEL-700'), 2, 0, NULL, NULL),
    ((SELECT b.id FROM bom_headers b JOIN items p ON p.id = b.item_id WHERE p.item_code = 'FG-BIKE-100' AND b.revision = 'A'), 30, (SELECT id FROM items WHERE item_code = 'HW-CHAIN-8S'), 1, 0, NULL, NULL),
    ((SELECT b.id FROM bom_headers b JOIN items p ON p.id = b.item_id WHERE p.item_code = 'FG-BIKE-100' AND b.revision = 'A'), 40, (SELECT id FROM items WHERE item_code = 'HW-BOLT-M6'), 6, 0.02, NULL, NULL),
    ((SELECT b.id FROM bom_headers b JOIN items p ON p.id = b.item_id WHERE p.item_code = 'FG-BIKE-100' AND b.revision = 'A'), 50, (SELECT id FROM items WHERE item_code = 'PK-BOX-L'), 1, 0, NULL, NULL),
    ((SELECT b.id FROM bom_headers b JOIN items p ON p.id = b.item_id WHERE p.item_code = 'SA-FRAME-100' AND b.revision = 'A'), 10, (SELECT id FROM items WHERE item_code = 'RM-TUBE-AL'), 3.2, 0.05, NULL, NULL),
    ((SELECT b.id FROM bom_headers b JOIN items p ON p.id = b.item_id WHERE p.item_code = 'SA-FRAME-100' AND b.revision = 'A'), 20, (SELECT id FROM items WHERE item_code = 'RM-PAINT-GR'), 0.25, 0.1, NULL, NULL),
    ((SELECT b.id FROM bom_headers b JOIN items p ON p.id = b.item_id WHERE p.item_code = 'SA-FRAME-100' AND b.revision = 'A'), 30, (SELECT id FROM items WHERE item_code = 'HW-BOLT-M6'), 4, 0, '2024-01-01', '2025-12-31'),
    ((SELECT b.id FROM bom_headers b JOIN items p ON p.id = b.item_id WHERE p.item_code = 'SA-WHEEL-700' AND b.revision = 'A'), 10, (SELECT id FROM items WHERE item_code = 'RM-RIM-700'), 1, 0, NULL, NULL),
    ((SELECT b.id FROM bom_headers b JOIN items p ON p.id = b.item_id WHERE p.item_code = 'SA-WHEEL-700' AND b.revision = 'A'), 20, (SELECT id FROM items WHERE item_code = 'RM-SPOKE'), 32, 0.01, NULL, NULL),
    ((SELECT b.id FROM bom_headers b JOIN items p ON p.id = b.item_id WHERE p.item_code = 'SA-WHEEL-700' AND b.revision = 'A'), 30, (SELECT id FROM items WHERE item_code = 'RM-TIRE-700'), 1, 0, NULL, NULL),
    ((SELECT b.id FROM bom_headers b JOIN items p ON p.id = b.item_id WHERE p.item_code = 'SA-WHEEL-700' AND b.revision = 'A'), 40, (SELECT id FROM items WHERE item_code = 'HW-HUB'), 1, 0, NULL, NULL),
    ((SELECT b.id FROM bom_headers b JOIN items p ON p.id = b.item_id WHERE p.item_code = 'FG-SCOOT-10' AND b.revision = 'A'), 10, (SELECT id FROM items WHERE item_code = 'SA-DECK-10'), 1, 0, NULL, NULL),
    ((SELECT b.id FROM bom_headers b JOIN items p ON p.id = b.item_id WHERE p.item_code = 'FG-SCOOT-10' AND b.revision = 'A'), 20, (SELECT id FROM items WHERE item_code = 'SA-WHEEL-200'), 2, 0, NULL, NULL),
    ((SELECT b.id FROM bom_headers b JOIN items p ON p.id = b.item_id WHERE p.item_code = 'FG-SCOOT-10' AND b.revision = 'A'), 30, (SELECT id FROM items WHERE item_code = 'HW-BOLT-M6'), 6, 0.02, NULL, NULL),
    ((SELECT b.id FROM bom_headers b JOIN items p ON p.id = b.item_id WHERE p.item_code = 'FG-SCOOT-10' AND b.revision = 'A'), 40, (SELECT id FROM items WHERE item_code = 'PK-BOX-M'), 1, 0, NULL, NULL),
    ((SELECT b.id FROM bom_headers b JOIN items p ON p.id = b.item_id WHERE p.item_code = 'SA-DECK-10' AND b.revision = 'A'), 10, (SELECT id FROM items WHERE item_code = 'RM-ALU-SHEET'), 1.4, 0.08, NULL, NULL),
    ((SELECT b.id FROM bom_headers b JOIN items p ON p.id = b.item_id WHERE p.item_code = 'SA-WHEEL-200' AND b.revision = 'A'), 10, (SELECT id FROM items WHERE item_code = 'RM-TIRE-200'), 1, 0, NULL, NULL),
    ((SELECT b.id FROM bom_headers b JOIN items p ON p.id = b.item_id WHERE p.item_code = 'SA-WHEEL-200' AND b.revision = 'A'), 20, (SELECT id FROM items WHERE item_code = 'HW-HUB'), 1, 0, NULL, NULL),
    ((SELECT b.id FROM bom_headers b JOIN items p ON p.id = b.item_id WHERE p.item_code = 'FG-CART-50' AND b.revision = 'A'), 10, (SELECT id FROM items WHERE item_code = 'RM-STEEL-SHEET'), 2.5, 0.05, NULL, NULL),
    ((SELECT b.id FROM bom_headers b JOIN items p ON p.id = b.item_id WHERE p.item_code = 'FG-CART-50' AND b.revision = 'A'), 20, (SELECT id FROM items WHERE item_code = 'SA-WHEEL-200'), 4, 0, NULL, NULL),
    ((SELECT b.id FROM bom_headers b JOIN items p ON p.id = b.item_id WHERE p.item_code = 'FG-CART-50' AND b.revision = 'A'), 30, (SELECT id FROM items WHERE item_code = 'HW-BOLT-M6'), 12, 0.02, NULL, NULL),
    ((SELECT b.id FROM bom_headers b JOIN items p ON p.id = b.item_id WHERE p.item_code = 'FG-CART-50' AND b.revision = 'A'), 40, (SELECT id FROM items WHERE item_code = 'PK-BOX-L'), 1, 0, NULL, NULL)
ON DUPLICATE KEY UPDATE
    component_item_id = VALUES(component_item_id), quantity_per = VALUES(quantity_per),
    scrap_factor = VALUES(scrap_factor), effective_from = VALUES(effective_from),
    effective_to = VALUES(effective_to);

INSERT INTO inventory_balances (item_id, location_id, lot_number, quantity_on_hand, quantity_allocated) VALUES
    ((SELECT id FROM items WHERE item_code = 'FG-BIKE-100'), (SELECT l.id FROM locations l JOIN warehouses w ON w.id = l.warehouse_id WHERE w.warehouse_code = 'MAIN' AND l.location_code = 'A-01-01'), '', 14, 4),
    ((SELECT id FROM items WHERE item_code = 'FG-SCOOT-10'), (SELECT l.id FROM locations l JOIN warehouses w ON w.id = l.warehouse_id WHERE w.warehouse_code = 'EAST' AND l.location_code = 'B-01-01'), '', 35, 0),
    ((SELECT id FROM items WHERE item_code = 'RM-TUBE-AL'), (SELECT l.id FROM locations l JOIN warehouses w ON w.id = l.warehouse_id WHERE w.warehouse_code = 'MAIN' AND l.location_code = 'A-01-02'), 'L2024-118', 96, 0),
    ((SELECT id FROM items WHERE item_code = 'RM-TUBE-AL'), (SELECT l.id FROM locations l JOIN warehouses w ON w.id = l.warehouse_id WHERE w.warehouse_code = 'MAIN' AND l.location_code = 'QC-HOLD'), 'L2024-121', 24, 0),
    ((SELECT id FROM items WHERE item_code = 'RM-SPOKE'), (SELECT l.id FROM locations l JOIN warehouses w ON w.id = l.warehouse_id WHERE w.warehouse_code = 'MAIN' AND l.location_code = 'A-01-02'), '', 4200, 640),
    ((SELECT id FROM items WHERE item_code = 'HW-BOLT-M6'), (SELECT l.id FROM locations l JOIN warehouses w ON w.id = l.warehouse_id WHERE w.warehouse_code = 'MAIN' AND l.location_code = 'A-01-02'), '', 15500, 0),
    ((SELECT id FROM items WHERE item_code = 'PK-BOX-L'), (SELECT l.id FROM locations l JOIN warehouses w ON w.id = l.warehouse_id WHERE w.warehouse_code = 'MAIN' AND l.location_code = 'A-01-01'), '', 30, 0)
ON DUPLICATE KEY UPDATE
    quantity_on_hand = VALUES(quantity_on_hand), quantity_allocated = VALUES(quantity_allocated);
