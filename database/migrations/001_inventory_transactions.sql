-- 001: inventory transaction ledger.
-- Every receipt, issue, adjustment and transfer is one immutable row;
-- inventory_balances is the running sum of this ledger.

-- mrpplan:up

CREATE TABLE inventory_lots (
    id              INT UNSIGNED  NOT NULL AUTO_INCREMENT,
    item_id         INT UNSIGNED  NOT NULL,
    lot_number      VARCHAR(40)   NOT NULL,
    supplier_lot    VARCHAR(60)   NULL,
    manufactured_on DATE          NULL,
    expires_on      DATE          NULL,
    status          ENUM('available','quarantine','rejected','consumed') NOT NULL DEFAULT 'available',
    PRIMARY KEY (id),
    UNIQUE KEY uq_inventory_lots (item_id, lot_number),
    KEY idx_inventory_lots_expiry (expires_on),
    CONSTRAINT fk_inventory_lots_item FOREIGN KEY (item_id)
        REFERENCES items (id) ON DELETE RESTRICT ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='Lots of lot-tracked items, with expiry';

CREATE TABLE inventory_transactions (
    id                  BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    transaction_no      VARCHAR(30)   NOT NULL,
    transaction_type_id INT UNSIGNED  NOT NULL,
    movement            ENUM('receipt','issue','adjustment','transfer') NOT NULL,
    item_id             INT UNSIGNED  NOT NULL,
    location_id         INT UNSIGNED  NOT NULL COMMENT 'source location for issues and transfers',
    to_location_id      INT UNSIGNED  NULL COMMENT 'destination of a transfer',
    lot_number          VARCHAR(40)   NOT NULL DEFAULT '',
    quantity            DECIMAL(18,4) NOT NULL COMMENT 'signed: receipts positive, issues negative',
    unit_cost           DECIMAL(18,4) NULL,
    reference_type      ENUM('purchase_order','sales_order','work_order','count','manual') NOT NULL DEFAULT 'manual',
    reference_no        VARCHAR(30)   NULL,
    reason_code         VARCHAR(20)   NULL,
    transacted_at       DATETIME      NOT NULL,
    posted_by           VARCHAR(80)   NOT NULL,
    notes               TEXT          NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_inventory_transactions_no (transaction_no),
    KEY idx_inventory_transactions_item_date (item_id, transacted_at),
    KEY idx_inventory_transactions_location (location_id),
    KEY idx_inventory_transactions_to_location (to_location_id),
    KEY idx_inventory_transactions_type (transaction_type_id),
    KEY idx_inventory_transactions_reference (reference_type, reference_no),
    CONSTRAINT fk_inventory_transactions_type FOREIGN KEY (transaction_type_id)
        REFERENCES transaction_types (id) ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT fk_inventory_transactions_item FOREIGN KEY (item_id)
        REFERENCES items (id) ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT fk_inventory_transactions_location FOREIGN KEY (location_id)
        REFERENCES locations (id) ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT fk_inventory_transactions_to_location FOREIGN KEY (to_location_id)
        REFERENCES locations (id) ON DELETE RESTRICT ON UPDATE RESTRICT,
    CONSTRAINT chk_inventory_transactions_qty CHECK (quantity <> 0),
    CONSTRAINT chk_inventory_transactions_transfer CHECK (movement <> 'transfer' OR to_location_id IS NOT NULL)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='Inventory ledger: receipts, issues, adjustments, transfers';

-- mrpplan:down

DROP TABLE inventory_transactions;
DROP TABLE inventory_lots;
