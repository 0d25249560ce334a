-- =====================================================================
-- MRP/ERP base schema (version "base").
-- Master data for a discrete manufacturer: units, items, suppliers,
-- customers, warehouses, bills of materials, work centers, routings,
-- inventory balances and the audit trail.
-- Later changes live in database/migrations/NNN_name.sql.
-- Valid on MariaDB 10.11 and MySQL 8.0.
-- =====================================================================

-- ---------------------------------------------------------------------
-- Reference data
-- ---------------------------------------------------------------------

CREATE TABLE currencies (
    currency_code   CHAR(3)       NOT NULL COMMENT 'ISO 4217 code',
    name            VARCHAR(60)   NOT NULL,
    symbol          VARCHAR(8)    NULL,
    decimal_places  TINYINT UNSIGNED NOT NULL DEFAULT 2,
    is_active       BOOLEAN       NOT NULL DEFAULT TRUE,
    created_at      DATETIME      NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (currency_code),
    CONSTRAINT chk_currencies_decimals CHECK (decimal_places <= 6)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='ISO currencies used on orders and costs';

CREATE TABLE exchange_rates (
    id              INT UNSIGNED  NOT NULL AUTO_INCREMENT,
    from_currency   CHAR(3)       NOT NULL,
    to_currency     CHAR(3)       NOT NULL,
    rate_date       DATE          NOT NULL,
    rate            DECIMAL(18,8) NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_exchange_rates_pair_date (from_currency, to_currency, rate_date),
    KEY idx_exchange_rates_to (to_currency),
    CONSTRAINT fk_exchange_rates_from FOREIGN KEY (from_currency)
        REFERENCES currencies (currency_code) ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT fk_exchange_rates_to FOREIGN KEY (to_currency)
        REFERENCES currencies (currency_code) ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT chk_exchange_rates_positive CHECK (rate > 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='Daily conversion rates between currencies';

CREATE TABLE units_of_measure (
    id              INT UNSIGNED  NOT NULL AUTO_INCREMENT,
    uom_code        VARCHAR(10)   NOT NULL COMMENT 'EA, KG, M, L ...',
    name            VARCHAR(60)   NOT NULL,
    uom_class       ENUM('count','mass','length','volume','area','time') NOT NULL DEFAULT 'count',
    decimal_places  TINYINT UNSIGNED NOT NULL DEFAULT 0,
    is_active       BOOLEAN       NOT NULL DEFAULT TRUE,
    PRIMARY KEY (id),
    UNIQUE KEY uq_units_of_measure_code (uom_code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='Units in which items are stocked and used';

CREATE TABLE uom_conversions (
    id              INT UNSIGNED  NOT NULL AUTO_INCREMENT,
    from_uom_id     INT UNSIGNED  NOT NULL,
    to_uom_id       INT UNSIGNED  NOT NULL,
    factor          DECIMAL(18,8) NOT NULL COMMENT 'quantity in to_uom = quantity in from_uom * factor',
    PRIMARY KEY (id),
    UNIQUE KEY uq_uom_conversions_pair (from_uom_id, to_uom_id),
    KEY idx_uom_conversions_to (to_uom_id),
    CONSTRAINT fk_uom_conversions_from FOREIGN KEY (from_uom_id)
        REFERENCES units_of_measure (id) ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT fk_uom_conversions_to FOREIGN KEY (to_uom_id)
        REFERENCES units_of_measure (id) ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT chk_uom_conversions_factor CHECK (factor > 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE item_types (
    id              INT UNSIGNED  NOT NULL AUTO_INCREMENT,
    type_code       VARCHAR(20)   NOT NULL COMMENT 'FG, SA, RM, PK, CONS ...',
    name            VARCHAR(60)   NOT NULL,
    is_purchased    BOOLEAN       NOT NULL DEFAULT FALSE,
    is_manufactured BOOLEAN       NOT NULL DEFAULT FALSE,
    is_stocked      BOOLEAN       NOT NULL DEFAULT TRUE,
    PRIMARY KEY (id),
    UNIQUE KEY uq_item_types_code (type_code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='Finished good, subassembly, raw material, ...';

CREATE TABLE transaction_types (
    id              INT UNSIGNED  NOT NULL AUTO_INCREMENT,
    type_code       VARCHAR(20)   NOT NULL,
    name            VARCHAR(60)   NOT NULL,
    direction       ENUM('in','out','move','none') NOT NULL,
    affects_cost    BOOLEAN       NOT NULL DEFAULT TRUE,
    PRIMARY KEY (id),
    UNIQUE KEY uq_transaction_types_code (type_code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='Kinds of inventory movement';

-- ---------------------------------------------------------------------
-- Items
-- ---------------------------------------------------------------------

CREATE TABLE items (
    id              INT UNSIGNED  NOT NULL AUTO_INCREMENT,
    item_code       VARCHAR(40)   NOT NULL COMMENT 'part number',
    description     VARCHAR(255)  NOT NULL,
    item_type_id    INT UNSIGNED  NOT NULL,
    uom_id          INT UNSIGNED  NOT NULL COMMENT 'stocking unit',
    status          ENUM('active','prototype','obsolete','inactive') NOT NULL DEFAULT 'active',
    make_or_buy     ENUM('make','buy') NOT NULL DEFAULT 'buy',
    standard_cost   DECIMAL(18,4) NOT NULL DEFAULT 0.0000,
    cost_currency   CHAR(3)       NOT NULL DEFAULT 'USD',
    weight_kg       DECIMAL(12,4) NULL,
    is_lot_tracked  BOOLEAN       NOT NULL DEFAULT FALSE,
    is_serialized   BOOLEAN       NOT NULL DEFAULT FALSE,
    attributes      JSON          NULL COMMENT 'free-form engineering attributes',
    notes           TEXT          NULL,
    created_at      DATETIME      NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at      DATETIME      NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    PRIMARY KEY (id),
    UNIQUE KEY uq_items_code (item_code),
    KEY idx_items_type (item_type_id),
    KEY idx_items_uom (uom_id),
    KEY idx_items_status (status),
    KEY idx_items_currency (cost_currency),
    CONSTRAINT fk_items_type FOREIGN KEY (item_type_id)
        REFERENCES item_types (id) ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT fk_items_uom FOREIGN KEY (uom_id)
        REFERENCES units_of_measure (id) ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT fk_items_currency FOREIGN KEY (cost_currency)
        REFERENCES currencies (currency_code) ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT chk_items_cost CHECK (standard_cost >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='Parts: everything that is bought, made, stocked or sold';

-- ---------------------------------------------------------------------
-- Business partners
-- ---------------------------------------------------------------------

CREATE TABLE suppliers (
    id              INT UNSIGNED  NOT NULL AUTO_INCREMENT,
    supplier_code   VARCHAR(20)   NOT NULL,
    name            VARCHAR(120)  NOT NULL,
    contact_name    VARCHAR(120)  NULL,
    email           VARCHAR(190)  NULL,
    phone           VARCHAR(40)   NULL,
    address_line1   VARCHAR(160)  NULL,
    city            VARCHAR(80)   NULL,
    country_code    CHAR(2)       NULL COMMENT 'ISO 3166-1 alpha-2',
    currency_code   CHAR(3)       NOT NULL DEFAULT 'USD',
    payment_terms   VARCHAR(40)   NULL,
    rating          ENUM('A','B','C','D') NULL,
    is_active       BOOLEAN       NOT NULL DEFAULT TRUE,
    notes           TEXT          NULL,
    created_at      DATETIME      NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (id),
    UNIQUE KEY uq_suppliers_code (supplier_code),
    KEY idx_suppliers_name (name),
    KEY idx_suppliers_currency (currency_code),
    CONSTRAINT fk_suppliers_currency FOREIGN KEY (currency_code)
        REFERENCES currencies (currency_code) ON DELETE RESTRICT ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE supplier_items (
    id              INT UNSIGNED  NOT NULL AUTO_INCREMENT,
    supplier_id     INT UNSIGNED  NOT NULL,
    item_id         INT UNSIGNED  NOT NULL,
    supplier_part_no VARCHAR(60)  NULL,
    unit_price      DECIMAL(18,4) NOT NULL,
    currency_code   CHAR(3)       NOT NULL DEFAULT 'USD',
    min_order_qty   DECIMAL(18,4) NOT NULL DEFAULT 1.0000,
    lead_time_days  SMALLINT UNSIGNED NOT NULL DEFAULT 0,
    is_preferred    BOOLEAN       NOT NULL DEFAULT FALSE,
    PRIMARY KEY (id),
    UNIQUE KEY uq_supplier_items (supplier_id, item_id),
    KEY idx_supplier_items_item (item_id),
    KEY idx_supplier_items_currency (currency_code),
    CONSTRAINT fk_supplier_items_supplier FOREIGN KEY (supplier_id)
        REFERENCES suppliers (id) ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT fk_supplier_items_item FOREIGN KEY (item_id)
        REFERENCES items (id) ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT fk_supplier_items_currency FOREIGN KEY (currency_code)
        REFERENCES currencies (currency_code) ON DELETE RESTRICT ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='Approved sources and their prices';

CREATE TABLE customers (
    id              INT UNSIGNED  NOT NULL AUTO_INCREMENT,
    customer_code   VARCHAR(20)   NOT NULL,
    name            VARCHAR(120)  NOT NULL,
    contact_name    VARCHAR(120)  NULL,
    email           VARCHAR(190)  NULL,
    phone           VARCHAR(40)   NULL,
    billing_address TEXT          NULL,
    shipping_address TEXT         NULL,
    country_code    CHAR(2)       NULL,
    currency_code   CHAR(3)       NOT NULL DEFAULT 'USD',
    credit_limit    DECIMAL(18,2) NOT NULL DEFAULT 0.00,
    is_active       BOOLEAN       NOT NULL DEFAULT TRUE,
    created_at      DATETIME      NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (id),
    UNIQUE KEY uq_customers_code (customer_code),
    KEY idx_customers_name (name),
    KEY idx_customers_currency (currency_code),
    CONSTRAINT fk_customers_currency FOREIGN KEY (currency_code)
        REFERENCES currencies (currency_code) ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT chk_customers_credit CHECK (credit_limit >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- ---------------------------------------------------------------------
-- Storage
-- ---------------------------------------------------------------------

CREATE TABLE warehouses (
    id              INT UNSIGNED  NOT NULL AUTO_INCREMENT,
    warehouse_code  VARCHAR(20)   NOT NULL,
    name            VARCHAR(120)  NOT NULL,
    address         TEXT          NULL,
    is_active       BOOLEAN       NOT NULL DEFAULT TRUE,
    PRIMARY KEY (id),
    UNIQUE KEY uq_warehouses_code (warehouse_code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE locations (
    id              INT UNSIGNED  NOT NULL AUTO_INCREMENT,
    warehouse_id    INT UNSIGNED  NOT NULL,
    location_code   VARCHAR(30)   NOT NULL COMMENT 'aisle-rack-bin',
    location_type   ENUM('storage','receiving','shipping','staging','quarantine','production') NOT NULL DEFAULT 'storage',
    is_nettable     BOOLEAN       NOT NULL DEFAULT TRUE COMMENT 'counts as available to MRP',
    PRIMARY KEY (id),
    UNIQUE KEY uq_locations_code (warehouse_id, location_code),
    CONSTRAINT fk_locations_warehouse FOREIGN KEY (warehouse_id)
        REFERENCES warehouses (id) ON DELETE CASCADE ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- ---------------------------------------------------------------------
-- Engineering: bills of materials
-- ---------------------------------------------------------------------

CREATE TABLE bom_headers (
    id              INT UNSIGNED  NOT NULL AUTO_INCREMENT,
    item_id         INT UNSIGNED  NOT NULL COMMENT 'the parent item built by this BOM',
    revision        VARCHAR(10)   NOT NULL DEFAULT 'A',
    status          ENUM('draft','released','obsolete') NOT NULL DEFAULT 'draft',
    base_quantity   DECIMAL(18,4) NOT NULL DEFAULT 1.0000,
    effective_from  DATE          NULL,
    effective_to    DATE          NULL,
    notes           TEXT          NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_bom_headers_item_rev (item_id, revision),
    CONSTRAINT fk_bom_headers_item FOREIGN KEY (item_id)
        REFERENCES items (id) ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT chk_bom_headers_dates CHECK (effective_to IS NULL OR effective_from IS NULL OR effective_to >= effective_from)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='One BOM revision of a parent item';

CREATE TABLE bom_lines (
    id              INT UNSIGNED  NOT NULL AUTO_INCREMENT,
    bom_id          INT UNSIGNED  NOT NULL,
    line_no         SMALLINT UNSIGNED NOT NULL,
    component_item_id INT UNSIGNED NOT NULL,
    quantity_per    DECIMAL(18,6) NOT NULL COMMENT 'per base_quantity of the parent',
    scrap_factor    DECIMAL(6,4)  NOT NULL DEFAULT 0.0000 COMMENT '0.05 = 5% extra',
    effective_from  DATE          NULL,
    effective_to    DATE          NULL,
    is_phantom      BOOLEAN       NOT NULL DEFAULT FALSE,
    reference_designator VARCHAR(60) NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_bom_lines_line (bom_id, line_no),
    KEY idx_bom_lines_component (component_item_id),
    CONSTRAINT fk_bom_lines_bom FOREIGN KEY (bom_id)
        REFERENCES bom_headers (id) ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT fk_bom_lines_component FOREIGN KEY (component_item_id)
        REFERENCES items (id) ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT chk_bom_lines_qty CHECK (quantity_per > 0),
    CONSTRAINT chk_bom_lines_scrap CHECK (scrap_factor >= 0 AND scrap_factor < 1)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='Components of a BOM; multi-level through component BOMs';

-- ---------------------------------------------------------------------
-- Manufacturing: work centers and routings
-- ---------------------------------------------------------------------

CREATE TABLE work_centers (
    id              INT UNSIGNED  NOT NULL AUTO_INCREMENT,
    work_center_code VARCHAR(20)  NOT NULL,
    name            VARCHAR(120)  NOT NULL,
    warehouse_id    INT UNSIGNED  NULL,
    capacity_hours_per_day DECIMAL(6,2) NOT NULL DEFAULT 8.00,
    efficiency_pct  DECIMAL(5,2)  NOT NULL DEFAULT 100.00,
    labor_rate      DECIMAL(12,4) NOT NULL DEFAULT 0.0000 COMMENT 'per hour',
    overhead_rate   DECIMAL(12,4) NOT NULL DEFAULT 0.0000 COMMENT 'per hour',
    is_active       BOOLEAN       NOT NULL DEFAULT TRUE,
    PRIMARY KEY (id),
    UNIQUE KEY uq_work_centers_code (work_center_code),
    KEY idx_work_centers_warehouse (warehouse_id),
    CONSTRAINT fk_work_centers_warehouse FOREIGN KEY (warehouse_id)
        REFERENCES warehouses (id) ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT chk_work_centers_efficiency CHECK (efficiency_pct > 0 AND efficiency_pct <= 200)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE routings (
    id              INT UNSIGNED  NOT NULL AUTO_INCREMENT,
    item_id         INT UNSIGNED  NOT NULL,
    routing_code    VARCHAR(20)   NOT NULL DEFAULT 'PRIMARY',
    revision        VARCHAR(10)   NOT NULL DEFAULT 'A',
    status          ENUM('draft','released','obsolete') NOT NULL DEFAULT 'draft',
    effective_from  DATE          NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_routings_item_code_rev (item_id, routing_code, revision),
    CONSTRAINT fk_routings_item FOREIGN KEY (item_id)
        REFERENCES items (id) ON DELETE CASCADE ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='How a made item is produced';

CREATE TABLE routing_operations (
    id              INT UNSIGNED  NOT NULL AUTO_INCREMENT,
    routing_id      INT UNSIGNED  NOT NULL,
    operation_no    SMALLINT UNSIGNED NOT NULL COMMENT '10, 20, 30 ...',
    work_center_id  INT UNSIGNED  NOT NULL,
    description     VARCHAR(160)  NOT NULL,
    setup_minutes   DECIMAL(10,2) NOT NULL DEFAULT 0.00,
    run_minutes_per_unit DECIMAL(10,4) NOT NULL DEFAULT 0.0000,
    queue_minutes   DECIMAL(10,2) NOT NULL DEFAULT 0.00,
    move_minutes    DECIMAL(10,2) NOT NULL DEFAULT 0.00,
    instructions    TEXT          NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_routing_operations_no (routing_id, operation_no),
    KEY idx_routing_operations_wc (work_center_id),
    CONSTRAINT fk_routing_operations_routing FOREIGN KEY (routing_id)
        REFERENCES routings (id) ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT fk_routing_operations_wc FOREIGN KEY (work_center_id)
        REFERENCES work_centers (id) ON DELETE RESTRICT ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- ---------------------------------------------------------------------
-- Inventory
-- ---------------------------------------------------------------------

CREATE TABLE inventory_balances (
    id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    item_id         INT UNSIGNED  NOT NULL,
    location_id     INT UNSIGNED  NOT NULL,
    lot_number      VARCHAR(40)   NOT NULL DEFAULT '' COMMENT 'empty when not lot tracked',
    quantity_on_hand DECIMAL(18,4) NOT NULL DEFAULT 0.0000,
    quantity_allocated DECIMAL(18,4) NOT NULL DEFAULT 0.0000,
    last_counted_at DATETIME      NULL,
    updated_at      DATETIME      NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    PRIMARY KEY (id),
    UNIQUE KEY uq_inventory_balances (item_id, location_id, lot_number),
    KEY idx_inventory_balances_location (location_id),
    CONSTRAINT fk_inventory_balances_item FOREIGN KEY (item_id)
        REFERENCES items (id) ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT fk_inventory_balances_location FOREIGN KEY (location_id)
        REFERENCES locations (id) ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT chk_inventory_balances_alloc CHECK (quantity_allocated >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='On-hand quantity per item, location and lot';

-- ---------------------------------------------------------------------
-- Audit trail
-- ---------------------------------------------------------------------

CREATE TABLE audit_log (
    id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    table_name      VARCHAR(64)   NOT NULL,
    record_id       BIGINT UNSIGNED NOT NULL,
    action          ENUM('insert','update','delete') NOT NULL,
    changed_by      VARCHAR(80)   NOT NULL,
    changed_at      DATETIME(6)   NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    old_values      JSON          NULL,
    new_values      JSON          NULL,
    PRIMARY KEY (id),
    KEY idx_audit_log_record (table_name, record_id),
    KEY idx_audit_log_changed_at (changed_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='Who changed which row, when, from what to what';
