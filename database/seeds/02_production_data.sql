-- Production data: work centers, routings with their operations, and open
-- work orders. Needs 00_reference_data and 01_test_data.
-- Idempotent: keyed by natural codes.

INSERT INTO work_centers (work_center_code, name, warehouse_id, daily_capacity_hours, efficiency_pct, labor_rate, overhead_rate) VALUES
    ('CUT', 'Tube cutting and sheet laser', (SELECT id FROM warehouses WHERE warehouse_code = 'MAIN'), 16.00, 92.00, 38.0000, 22.5000),
    ('WELD', 'TIG welding cell', (SELECT id FROM warehouses WHERE warehouse_code = 'MAIN'), 16.00, 85.00, 46.0000, 31.0000),
    ('PAINT', 'Powder coating line', (SELECT id FROM warehouses WHERE warehouse_code = 'MAIN'), 8.00, 95.00, 34.0000, 40.0000),
    ('WHEEL', 'Wheel building', (SELECT id FROM warehouses WHERE warehouse_code = 'MAIN'), 8.00, 100.00, 32.0000, 12.0000),
    ('ASSY', 'Final assembly', (SELECT id FROM warehouses WHERE warehouse_code = 'MAIN'), 16.00, 100.00, 30.0000, 15.0000),
    ('PACK', 'Pack-out', (SELECT id FROM warehouses WHERE warehouse_code = 'MAIN'), 8.00, 110.00, 24.0000, 8.0000)
ON DUPLICATE KEY UPDATE
    name = VALUES(name), warehouse_id = VALUES(warehouse_id), daily_capacity_hours = VALUES(daily_capacity_hours),
    efficiency_pct = VALUES(efficiency_pct), labor_rate = VALUES(labor_rate), overhead_rate = VALUES(overhead_rate);

INSERT INTO routings (item_id, routing_code, revision, status, effective_from) VALUES
    ((SELECT id FROM items WHERE item_code = 'FG-BIKE-100'), 'PRIMARY', 'A', 'released', '2024-01-01'),
    ((SELECT id FROM items WHERE item_code = 'FG-SCOOT-10'), 'PRIMARY', 'A', 'released', '2024-01-01'),
    ((SELECT id FROM items WHERE item_code = 'FG-CART-50'), 'PRIMARY', 'A', 'released', '2024-03-01'),
    ((SELECT id FROM items WHERE item_code = 'SA-FRAME-100'), 'PRIMARY', 'A', 'released', '2024-01-01'),
    ((SELECT id FROM items WHERE item_code = 'SA-WHEEL-700'), 'PRIMARY', 'A', 'released', '2024-01-01')
ON DUPLICATE KEY UPDATE status = VALUES(status), effective_from = VALUES(effective_from);

INSERT INTO routing_operations (routing_id, operation_no, work_center_id, description, setup_minutes, run_minutes_per_unit, queue_minutes, move_minutes) VALUES
    ((SELECT r.id FROM routings r JOIN items i ON i.id = r.item_id WHERE i.item_code = 'SA-FRAME-100' AND r.routing_code = 'PRIMARY' AND r.revision = 'A'), 10, (SELECT id FROM work_centers WHERE work_center_code = 'CUT'), 'Cut and mitre tubes', 30, 6.5, 60, 10),
    ((SELECT r.id FROM routings r JOIN items i ON i.id = r.item_id WHERE i.item_code = 'SA-FRAME-100' AND r.routing_code = 'PRIMARY' AND r.revision = 'A'), 20, (SELECT id FROM work_centers WHERE work_center_code = 'WELD'), 'Tack and weld frame in jig', 45, 28, 120, 10),
    ((SELECT r.id FROM routings r JOIN items i ON i.id = r.item_id WHERE i.item_code = 'SA-FRAME-100' AND r.routing_code = 'PRIMARY' AND r.revision = 'A'), 30, (SELECT id FROM work_centers WHERE work_center_code = 'PAINT'), 'Pretreat and powder coat', 20, 9, 240, 15),
    ((SELECT r.id FROM routings r JOIN items i ON i.id = r.item_id WHERE i.item_code = 'SA-WHEEL-700' AND r.routing_code = 'PRIMARY' AND r.revision = 'A'), 10, (SELECT id FROM work_centers WHERE work_center_code = 'WHEEL'), 'Lace, tension and true wheel', 10, 18, 30, 5),
    ((SELECT r.id FROM routings r JOIN items i ON i.id = r.item_id WHERE i.item_code = 'FG-BIKE-100' AND r.routing_code = 'PRIMARY' AND r.revision = 'A'), 10, (SELECT id FROM work_centers WHERE work_center_code = 'ASSY'), 'Assemble bicycle', 15, 35, 60, 5),
    ((SELECT r.id FROM routings r JOIN items i ON i.id = r.item_id WHERE i.item_code = 'FG-BIKE-100' AND r.routing_code = 'PRIMARY' AND r.revision = 'A'), 20, (SELECT id FROM work_centers WHERE work_center_code = 'PACK'), 'Inspect and box', 5, 8, 30, 5),
    ((SELECT r.id FROM routings r JOIN items i ON i.id = r.item_id WHERE i.item_code = 'FG-SCOOT-10' AND r.routing_code = 'PRIMARY' AND r.revision = 'A'), 10, (SELECT id FROM work_centers WHERE work_center_code = 'ASSY'), 'Assemble scooter', 10, 12, 30, 5),
    ((SELECT r.id FROM routings r JOIN items i ON i.id = r.item_id WHERE i.item_code = 'FG-SCOOT-10' AND r.routing_code = 'PRIMARY' AND r.revision = 'A'), 20, (SELECT id FROM work_centers WHERE work_center_code = 'PACK'), 'Inspect and box', 5, 4, 30, 5),
    ((SELECT r.id FROM routings r JOIN items i ON i.id = r.item_id WHERE i.item_code = 'FG-CART-50' AND r.routing_code = 'PRIMARY' AND r.revision = 'A'), 10, (SELECT id FROM work_centers WHERE work_center_code = 'CUT'), 'Laser cut and bend tray', 25, 7, 60, 10),
    ((SELECT r.id FROM routings r JOIN items i ON i.id = r.item_id WHERE i.item_code = 'FG-CART-50' AND r.routing_code = 'PRIMARY' AND r.revision = 'A'), 20, (SELECT id FROM work_centers WHERE work_center_code = 'ASSY'), 'Fit wheels and handle', 10, 14, 30, 5)
ON DUPLICATE KEY UPDATE
    work_center_id = VALUES(work_center_id), description = VALUES(description),
    setup_minutes = VALUES(setup_minutes), run_minutes_per_unit = VALUES(run_minutes_per_unit),
    queue_minutes = VALUES(queue_minutes), move_minutes = VALUES(move_minutes);

INSERT INTO work_orders (work_order_no, item_id, bom_id, routing_id, warehouse_id, quantity_ordered, quantity_completed, status, priority, start_date, due_date, notes) VALUES
    ('WO-24001', (SELECT id FROM items WHERE item_code = 'SA-FRAME-100'),
        (SELECT b.id FROM bom_headers b JOIN items i ON i.id = b.item_id WHERE i.item_code = 'SA-FRAME-100' AND b.revision = 'A'),
        (SELECT r.id FROM routings r JOIN items i ON i.id = r.item_id WHERE i.item_code = 'SA-FRAME-100' AND r.routing_code = 'PRIMARY' AND r.revision = 'A'),
        (SELECT id FROM warehouses WHERE warehouse_code = 'MAIN'), 40, 12, 'in_progress', 3, '2024-06-03', '2024-06-10', NULL),
    ('WO-24002', (SELECT id FROM items WHERE item_code = 'SA-WHEEL-700'),
        (SELECT b.id FROM bom_headers b JOIN items i ON i.id = b.item_id WHERE i.item_code = 'SA-WHEEL-700' AND b.revision = 'A'),
        (SELECT r.id FROM routings r JOIN items i ON i.id = r.item_id WHERE i.item_code = 'SA-WHEEL-700' AND r.routing_code = 'PRIMARY' AND r.revision = 'A'),
        (SELECT id FROM warehouses WHERE warehouse_code = 'MAIN'), 80, 0, 'released', 4, '2024-06-05', '2024-06-07', NULL),
    ('WO-24003', (SELECT id FROM items WHERE item_code = 'FG-BIKE-100'),
        (SELECT b.id FROM bom_headers b JOIN items i ON i.id = b.item_id WHERE i.item_code = 'FG-BIKE-100' AND b.revision = 'A'),
        (SELECT r.id FROM routings r JOIN items i ON i.id = r.item_id WHERE i.item_code = 'FG-BIKE-100' AND r.routing_code = 'PRIMARY' AND r.revision = 'A'),
        (SELECT id FROM warehouses WHERE warehouse_code = 'MAIN'), 40, 0, 'planned', 5, '2024-06-11', '2024-06-14', 'Customer order SO-10001'),
    ('WO-24004', (SELECT id FROM items WHERE item_code = 'FG-SCOOT-10'),
        (SELECT b.id FROM bom_headers b JOIN items i ON i.id = b.item_id WHERE i.item_code = 'FG-SCOOT-10' AND b.revision = 'A'),
        (SELECT r.id FROM routings r JOIN items i ON i.id = r.item_id WHERE i.item_code = 'FG-SCOOT-10' AND r.routing_code = 'PRIMARY' AND r.revision = 'A'),
        (SELECT id FROM warehouses WHERE warehouse_code = 'MAIN'), 50, 50, 'completed', 5, '2024-05-20', '2024-05-24', NULL)
ON DUPLICATE KEY UPDATE
    item_id = VALUES(item_id), bom_id = VALUES(bom_id), routing_id = VALUES(routing_id),
    warehouse_id = VALUES(warehouse_id), quantity_ordered = VALUES(quantity_ordered),
    quantity_completed = VALUES(quantity_completed), status = VALUES(status), priority = VALUES(priority),
    start_date = VALUES(start_date), due_date = VALUES(due_date), notes = VALUES(notes);

INSERT INTO work_order_operations (work_order_id, operation_no, work_center_id, status, planned_hours, actual_hours) VALUES
    ((SELECT id FROM work_orders WHERE work_order_no = 'WO-24001'), 10, (SELECT id FROM work_centers WHERE work_center_code = 'CUT'), 'done', 4.83, 5.10),
    ((SELECT id FROM work_orders WHERE work_order_no = 'WO-24001'), 20, (SELECT id FROM work_centers WHERE work_center_code = 'WELD'), 'running', 19.42, 6.00),
    ((SELECT id FROM work_orders WHERE work_order_no = 'WO-24001'), 30, (SELECT id FROM work_centers WHERE work_center_code = 'PAINT'), 'pending', 6.33, 0),
    ((SELECT id FROM work_orders WHERE work_order_no = 'WO-24002'), 10, (SELECT id FROM work_centers WHERE work_center_code = 'WHEEL'), 'pending', 24.17, 0),
    ((SELECT id FROM work_orders WHERE work_order_no = 'WO-24003'), 10, (SELECT id FROM work_centers WHERE work_center_code = 'ASSY'), 'pending', 23.58, 0),
    ((SELECT id FROM work_orders WHERE work_order_no = 'WO-24003'), 20, (SELECT id FROM work_centers WHERE work_center_code = 'PACK'), 'pending', 5.42, 0)
ON DUPLICATE KEY UPDATE
    work_center_id = VALUES(work_center_id), status = VALUES(status),
    planned_hours = VALUES(planned_hours), actual_hours = VALUES(actual_hours);
