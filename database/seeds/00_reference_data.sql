-- Reference data every environment needs: currencies, units of measure,
-- item types and inventory transaction types.
-- Idempotent: rows are keyed by their natural codes, a second run changes nothing.

INSERT INTO currencies (currency_code, name, symbol, decimal_places, is_active) VALUES
    ('USD', 'US Dollar', '$', 2, TRUE),
    ('EUR', 'Euro', '€', 2, TRUE),
    ('GBP', 'Pound Sterling', '£', 2, TRUE),
    ('JPY', 'Yen', '¥', 0, TRUE),
    ('CNY', 'Yuan Renminbi', '¥', 2, TRUE),
    ('MXN', 'Mexican Peso', '$', 2, TRUE)
ON DUPLICATE KEY UPDATE
    name = VALUES(name), symbol = VALUES(symbol),
    decimal_places = VALUES(decimal_places), is_active = VALUES(is_active);

INSERT INTO units_of_measure (uom_code, name, uom_class, decimal_places) VALUES
    ('EA', 'Each', 'count', 0),
    ('PR', 'Pair', 'count', 0),
    ('BOX', 'Box', 'count', 0),
    ('KG', 'Kilogram', 'mass', 3),
    ('G', 'Gram', 'mass', 1),
    ('M', 'Metre', 'length', 3),
    ('MM', 'Millimetre', 'length', 1),
    ('L', 'Litre', 'volume', 3),
    ('M2', 'Square metre', 'area', 3),
    ('HR', 'Hour', 'time', 2)
ON DUPLICATE KEY UPDATE
    name = VALUES(name), uom_class = VALUES(uom_class), decimal_places = VALUES(decimal_places);

INSERT INTO uom_conversions (from_uom_id, to_uom_id, factor) VALUES
    ((SELECT id FROM units_of_measure WHERE uom_code = 'KG'), (SELECT id FROM units_of_measure WHERE uom_code = 'G'), 1000),
    ((SELECT id FROM units_of_measure WHERE uom_code = 'G'), (SELECT id FROM units_of_measure WHERE uom_code = 'KG'), 0.001),
    ((SELECT id FROM units_of_measure WHERE uom_code = 'M'), (SELECT id FROM units_of_measure WHERE uom_code = 'MM'), 1000),
    ((SELECT id FROM units_of_measure WHERE uom_code = 'MM'), (SELECT id FROM units_of_measure WHERE uom_code = 'M'), 0.001),
    ((SELECT id FROM units_of_measure WHERE uom_code = 'PR'), (SELECT id FROM units_of_measure WHERE uom_code = 'EA'), 2)
ON DUPLICATE KEY UPDATE factor = VALUES(factor);

INSERT INTO item_types (type_code, name, is_purchased, is_manufactured, is_stocked) VALUES
    ('FG', 'Finished good', FALSE, TRUE, TRUE),
    ('SA', 'Subassembly', FALSE, TRUE, TRUE),
    ('RM', 'Raw material', TRUE, FALSE, TRUE),
    ('HW', 'Purchased hardware', TRUE, FALSE, TRUE),
    ('PK', 'Packaging', TRUE, FALSE, TRUE),
    ('CONS', 'Consumable', TRUE, FALSE, FALSE)
ON DUPLICATE KEY UPDATE
    name = VALUES(name), is_purchased = VALUES(is_purchased),
    is_manufactured = VALUES(is_manufactured), is_stocked = VALUES(is_stocked);

INSERT INTO transaction_types (type_code, name, direction, affects_cost) VALUES
    ('PO_RECEIPT', 'Purchase order receipt', 'in', TRUE),
    ('WO_ISSUE', 'Issue to work order', 'out', TRUE),
    ('WO_RECEIPT', 'Work order completion', 'in', TRUE),
    ('SO_SHIPMENT', 'Sales order shipment', 'out', TRUE),
    ('ADJ_PLUS', 'Adjustment up', 'in', TRUE),
    ('ADJ_MINUS', 'Adjustment down', 'out', TRUE),
    ('TRANSFER', 'Location transfer', 'move', FALSE),
    ('CYCLE_COUNT', 'Cycle count correction', 'none', TRUE)
ON DUPLICATE KEY UPDATE
    name = VALUES(name), direction = VALUES(direction), affects_cost = VALUES(affects_cost);
