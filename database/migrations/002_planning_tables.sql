-- 002: orders and planning.
-- Demand (sales orders, forecasts), supply (purchase orders, work orders),
-- the master production schedule, MRP runs, their planned orders and the
-- pegging that ties each supply to the demand it covers.

-- mrpplan:up

CREATE TABLE sales_orders (
    id              INT UNSIGNED  NOT NULL AUTO_INCREMENT,
    order_no        VARCHAR(20)   NOT NULL,
    customer_id     INT UNSIGNED  NOT NULL,
    order_date      DATE          NOT NULL,
    requested_date  DATE          NULL,
    status          ENUM('draft','confirmed','in_production','shipped','invoiced','cancelled') NOT NULL DEFAULT 'draft',
    currency_code   CHAR(3)       NOT NULL DEFAULT 'USD',
    customer_po     VARCHAR(40)   NULL,
    notes           TEXT          NULL,
    created_at      DATETIME      NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (id),
    UNIQUE KEY uq_sales_orders_no (order_no),
    KEY idx_sales_orders_customer (customer_id),
    KEY idx_sales_orders_status_date (status, requested_date),
    KEY idx_sales_orders_currency (currency_code),
    CONSTRAINT fk_sales_orders_customer FOREIGN KEY (customer_id)
        REFERENCES customers (id) ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT fk_sales_orders_currency FOREIGN KEY (currency_code)
        REFERENCES currencies (currency_code) ON DELETE RESTRICT ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE sales_order_lines (
    id              INT UNSIGNED  NOT NULL AUTO_INCREMENT,
    sales_order_id  INT UNSIGNED  NOT NULL,
    line_no         SMALLINT UNSIGNED NOT NULL,
    item_id         INT UNSIGNED  NOT NULL,
    quantity        DECIMAL(18,4) NOT NULL,
    unit_price      DECIMAL(18,4) NOT NULL,
    quantity_shipped DECIMAL(18,4) NOT NULL DEFAULT 0.0000,
    due_date        DATE          NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_sales_order_lines (sales_order_id, line_no),
    KEY idx_sales_order_lines_item_due (item_id, due_date),
    CONSTRAINT fk_sales_order_lines_order FOREIGN KEY (sales_order_id)
        REFERENCES sales_orders (id) ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT fk_sales_order_lines_item FOREIGN KEY (item_id)
        REFERENCES items (id) ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT chk_sales_order_lines_qty CHECK (quantity > 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE purchase_orders (
    id              INT UNSIGNED  NOT NULL AUTO_INCREMENT,
    po_no           VARCHAR(20)   NOT NULL,
    supplier_id     INT UNSIGNED  NOT NULL,
    order_date      DATE          NOT NULL,
    status          ENUM('draft','sent','acknowledged','partially_received','received','closed','cancelled') NOT NULL DEFAULT 'draft',
    currency_code   CHAR(3)       NOT NULL DEFAULT 'USD',
    ship_to_warehouse_id INT UNSIGNED NULL,
    notes           TEXT          NULL,
    created_at      DATETIME      NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (id),
    UNIQUE KEY uq_purchase_orders_no (po_no),
    KEY idx_purchase_orders_supplier (supplier_id),
    KEY idx_purchase_orders_status (status),
    KEY idx_purchase_orders_currency (currency_code),
    KEY idx_purchase_orders_warehouse (ship_to_warehouse_id),
    CONSTRAINT fk_purchase_orders_supplier FOREIGN KEY (supplier_id)
        REFERENCES suppliers (id) ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT fk_purchase_orders_currency FOREIGN KEY (currency_code)
        REFERENCES currencies (currency_code) ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT fk_purchase_orders_warehouse FOREIGN KEY (ship_to_warehouse_id)
        REFERENCES warehouses (id) ON DELETE SET NULL ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE purchase_order_lines (
    id              INT UNSIGNED  NOT NULL AUTO_INCREMENT,
    purchase_order_id INT UNSIGNED NOT NULL,
    line_no         SMALLINT UNSIGNED NOT NULL,
    item_id         INT UNSIGNED  NOT NULL,
    quantity        DECIMAL(18,4) NOT NULL,
    unit_price      DECIMAL(18,4) NOT NULL,
    quantity_received DECIMAL(18,4) NOT NULL DEFAULT 0.0000,
    due_date        DATE          NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_purchase_order_lines (purchase_order_id, line_no),
    KEY idx_purchase_order_lines_item_due (item_id, due_date),
    CONSTRAINT fk_purchase_order_lines_order FOREIGN KEY (purchase_order_id)
        REFERENCES purchase_orders (id) ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT fk_purchase_order_lines_item FOREIGN KEY (item_id)
        REFERENCES items (id) ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT chk_purchase_order_lines_qty CHECK (quantity > 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE work_orders (
    id              INT UNSIGNED  NOT NULL AUTO_INCREMENT,
    work_order_no   VARCHAR(20)   NOT NULL,
    item_id         INT UNSIGNED  NOT NULL,
    bom_id          INT UNSIGNED  NULL,
    routing_id      INT UNSIGNED  NULL,
    warehouse_id    INT UNSIGNED  NOT NULL,
    quantity_ordered DECIMAL(18,4) NOT NULL,
    quantity_completed DECIMAL(18,4) NOT NULL DEFAULT 0.0000,
    quantity_scrapped DECIMAL(18,4) NOT NULL DEFAULT 0.0000,
    status          ENUM('planned','released','in_progress','completed','closed','cancelled') NOT NULL DEFAULT 'planned',
    priority        TINYINT UNSIGNED NOT NULL DEFAULT 5,
    start_date      DATE          NOT NULL,
    due_date        DATE          NOT NULL,
    notes           TEXT          NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_work_orders_no (work_order_no),
    KEY idx_work_orders_item_due (item_id, due_date),
    KEY idx_work_orders_status (status),
    KEY idx_work_orders_bom (bom_id),
    KEY idx_work_orders_routing (routing_id),
    KEY idx_work_orders_warehouse (warehouse_id),
    CONSTRAINT fk_work_orders_item FOREIGN KEY (item_id)
        REFERENCES items (id) ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT fk_work_orders_bom FOREIGN KEY (bom_id)
        REFERENCES bom_headers (id) ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT fk_work_orders_routing FOREIGN KEY (routing_id)
        REFERENCES routings (id) ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT fk_work_orders_warehouse FOREIGN KEY (warehouse_id)
        REFERENCES warehouses (id) ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT chk_work_orders_qty CHECK (quantity_ordered > 0),
    CONSTRAINT chk_work_orders_dates CHECK (due_date >= start_date)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='Shop orders to make an item';

CREATE TABLE work_order_operations (
    id              INT UNSIGNED  NOT NULL AUTO_INCREMENT,
    work_order_id   INT UNSIGNED  NOT NULL,
    operation_no    SMALLINT UNSIGNED NOT NULL,
    work_center_id  INT UNSIGNED  NOT NULL,
    status          ENUM('pending','running','done','skipped') NOT NULL DEFAULT 'pending',
    planned_hours   DECIMAL(10,2) NOT NULL DEFAULT 0.00,
    actual_hours    DECIMAL(10,2) NOT NULL DEFAULT 0.00,
    PRIMARY KEY (id),
    UNIQUE KEY uq_work_order_operations (work_order_id, operation_no),
    KEY idx_work_order_operations_wc (work_center_id),
    CONSTRAINT fk_work_order_operations_wo FOREIGN KEY (work_order_id)
        REFERENCES work_orders (id) ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT fk_work_order_operations_wc FOREIGN KEY (work_center_id)
        REFERENCES work_centers (id) ON DELETE RESTRICT ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE demand_forecasts (
    id              INT UNSIGNED  NOT NULL AUTO_INCREMENT,
    item_id         INT UNSIGNED  NOT NULL,
    warehouse_id    INT UNSIGNED  NOT NULL,
    period_start    DATE          NOT NULL,
    forecast_qty    DECIMAL(18,4) NOT NULL,
    source          ENUM('manual','statistical','customer') NOT NULL DEFAULT 'manual',
    PRIMARY KEY (id),
    UNIQUE KEY uq_demand_forecasts (item_id, warehouse_id, period_start),
    KEY idx_demand_forecasts_warehouse (warehouse_id),
    CONSTRAINT fk_demand_forecasts_item FOREIGN KEY (item_id)
        REFERENCES items (id) ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT fk_demand_forecasts_warehouse FOREIGN KEY (warehouse_id)
        REFERENCES warehouses (id) ON DELETE CASCADE ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE master_production_schedule (
    id              INT UNSIGNED  NOT NULL AUTO_INCREMENT,
    item_id         INT UNSIGNED  NOT NULL,
    warehouse_id    INT UNSIGNED  NOT NULL,
    period_start    DATE          NOT NULL,
    planned_qty     DECIMAL(18,4) NOT NULL,
    is_firm         BOOLEAN       NOT NULL DEFAULT FALSE COMMENT 'inside the time fence',
    PRIMARY KEY (id),
    UNIQUE KEY uq_master_production_schedule (item_id, warehouse_id, period_start),
    KEY idx_master_production_schedule_wh (warehouse_id),
    CONSTRAINT fk_mps_item FOREIGN KEY (item_id)
        REFERENCES items (id) ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT fk_mps_warehouse FOREIGN KEY (warehouse_id)
        REFERENCES warehouses (id) ON DELETE CASCADE ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE mrp_runs (
    id              INT UNSIGNED  NOT NULL AUTO_INCREMENT,
    run_no          VARCHAR(20)   NOT NULL,
    started_at      DATETIME      NOT NULL,
    finished_at     DATETIME      NULL,
    horizon_days    SMALLINT UNSIGNED NOT NULL DEFAULT 90,
    status          ENUM('running','completed','failed') NOT NULL DEFAULT 'running',
    parameters      JSON          NULL,
    run_by          VARCHAR(80)   NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_mrp_runs_no (run_no),
    KEY idx_mrp_runs_started (started_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE planned_orders (
    id              INT UNSIGNED  NOT NULL AUTO_INCREMENT,
    mrp_run_id      INT UNSIGNED  NOT NULL,
    item_id         INT UNSIGNED  NOT NULL,
    warehouse_id    INT UNSIGNED  NOT NULL,
    order_type      ENUM('purchase','manufacture','transfer') NOT NULL,
    quantity        DECIMAL(18,4) NOT NULL,
    release_date    DATE          NOT NULL,
    due_date        DATE          NOT NULL,
    status          ENUM('planned','firmed','released','cancelled') NOT NULL DEFAULT 'planned',
    PRIMARY KEY (id),
    KEY idx_planned_orders_run (mrp_run_id),
    KEY idx_planned_orders_item_due (item_id, due_date),
    KEY idx_planned_orders_warehouse (warehouse_id),
    CONSTRAINT fk_planned_orders_run FOREIGN KEY (mrp_run_id)
        REFERENCES mrp_runs (id) ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT fk_planned_orders_item FOREIGN KEY (item_id)
        REFERENCES items (id) ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT fk_planned_orders_warehouse FOREIGN KEY (warehouse_id)
        REFERENCES warehouses (id) ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT chk_planned_orders_qty CHECK (quantity > 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='Supply suggested by an MRP run';

CREATE TABLE pegging (
    id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    mrp_run_id      INT UNSIGNED  NOT NULL,
    planned_order_id INT UNSIGNED NOT NULL,
    demand_type     ENUM('sales_order','forecast','dependent','safety_stock') NOT NULL,
    demand_id       INT UNSIGNED  NULL COMMENT 'sales_order_lines.id, demand_forecasts.id or planned_orders.id',
    pegged_qty      DECIMAL(18,4) NOT NULL,
    PRIMARY KEY (id),
    KEY idx_pegging_run (mrp_run_id),
    KEY idx_pegging_planned_order (planned_order_id),
    KEY idx_pegging_demand (demand_type, demand_id),
    CONSTRAINT fk_pegging_run FOREIGN KEY (mrp_run_id)
        REFERENCES mrp_runs (id) ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT fk_pegging_planned_order FOREIGN KEY (planned_order_id)
        REFERENCES planned_orders (id) ON DELETE CASCADE ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='Which demand each planned order covers';

-- mrpplan:down

DROP TABLE pegging;
DROP TABLE planned_orders;
DROP TABLE mrp_runs;
DROP TABLE master_production_schedule;
DROP TABLE demand_forecasts;
DROP TABLE work_order_operations;
DROP TABLE work_orders;
DROP TABLE purchase_order_lines;
DROP TABLE purchase_orders;
DROP TABLE sales_order_lines;
DROP TABLE sales_orders;
