-- 003: MRP planning parameters.
-- Lot sizing, lead times and safety stock on items; more precise purchase
-- prices; a clearer name for work-center capacity; an availability view.
-- This migration has no down section: it is not reversible by script
-- (roll back with a checkpoint/backup if needed).

-- mrpplan:up

ALTER TABLE items
    ADD COLUMN lot_sizing_rule ENUM('lot_for_lot','fixed_order_qty','economic_order_qty','period_order_qty','min_max')
        NOT NULL DEFAULT 'lot_for_lot' COMMENT 'how MRP sizes planned orders' AFTER make_or_buy,
    ADD COLUMN fixed_lot_qty DECIMAL(18,4) NULL AFTER lot_sizing_rule,
    ADD COLUMN min_order_qty DECIMAL(18,4) NOT NULL DEFAULT 0.0000 AFTER fixed_lot_qty,
    ADD COLUMN order_multiple DECIMAL(18,4) NOT NULL DEFAULT 1.0000 AFTER min_order_qty,
    ADD COLUMN period_order_days SMALLINT UNSIGNED NULL AFTER order_multiple,
    ADD COLUMN lead_time_days SMALLINT UNSIGNED NOT NULL DEFAULT 0 COMMENT 'purchase or manufacturing lead time' AFTER period_order_days,
    ADD COLUMN safety_lead_time_days SMALLINT UNSIGNED NOT NULL DEFAULT 0 AFTER lead_time_days,
    ADD COLUMN safety_stock_qty DECIMAL(18,4) NOT NULL DEFAULT 0.0000 AFTER safety_lead_time_days,
    ADD COLUMN reorder_point_qty DECIMAL(18,4) NULL AFTER safety_stock_qty,
    ADD KEY idx_items_lot_sizing (lot_sizing_rule),
    ADD CONSTRAINT chk_items_order_multiple CHECK (order_multiple > 0);

ALTER TABLE work_centers
    RENAME COLUMN capacity_hours_per_day TO daily_capacity_hours;

ALTER TABLE purchase_order_lines
    MODIFY COLUMN unit_price DECIMAL(20,6) NOT NULL COMMENT 'six decimals for per-piece prices of small parts';

CREATE TABLE mrp_exceptions (
    id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    mrp_run_id      INT UNSIGNED  NOT NULL,
    item_id         INT UNSIGNED  NOT NULL,
    exception_type  ENUM('expedite','defer','cancel','below_safety_stock','past_due','no_bom','no_source') NOT NULL,
    message         VARCHAR(255)  NOT NULL,
    due_date        DATE          NULL,
    is_acknowledged BOOLEAN       NOT NULL DEFAULT FALSE,
    PRIMARY KEY (id),
    KEY idx_mrp_exceptions_run (mrp_run_id),
    KEY idx_mrp_exceptions_item (item_id),
    CONSTRAINT fk_mrp_exceptions_run FOREIGN KEY (mrp_run_id)
        REFERENCES mrp_runs (id) ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT fk_mrp_exceptions_item FOREIGN KEY (item_id)
        REFERENCES items (id) ON DELETE CASCADE ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='Action messages raised by an MRP run';

CREATE VIEW v_item_availability AS
SELECT
    i.id                                            AS item_id,
    i.item_code                                     AS item_code,
    i.description                                   AS description,
    COALESCE(SUM(b.quantity_on_hand), 0)            AS on_hand,
    COALESCE(SUM(b.quantity_allocated), 0)          AS allocated,
    COALESCE(SUM(b.quantity_on_hand - b.quantity_allocated), 0) AS available,
    i.safety_stock_qty                              AS safety_stock,
    i.lead_time_days                                AS lead_time_days,
    i.lot_sizing_rule                               AS lot_sizing_rule,
    CASE WHEN COALESCE(SUM(b.quantity_on_hand - b.quantity_allocated), 0) < i.safety_stock_qty
         THEN 1 ELSE 0 END                          AS below_safety_stock
FROM items i
LEFT JOIN inventory_balances b ON b.item_id = i.id
LEFT JOIN locations l ON l.id = b.location_id
WHERE l.id IS NULL OR l.is_nettable = 1
GROUP BY i.id, i.item_code, i.description, i.safety_stock_qty, i.lead_time_days, i.lot_sizing_rule;
