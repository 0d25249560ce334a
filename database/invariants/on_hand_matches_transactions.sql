-- invariant: on-hand stock equals the sum of inventory transactions
-- For every item, location and lot that has transactions: a transfer's quantity (negative
-- at its source location_id) arrives, with the opposite sign, at its to_location_id.
SELECT b.item_id, b.location_id, b.lot_number, b.quantity_on_hand, m.total AS transactions_total
FROM inventory_balances AS b
JOIN (
    SELECT item_id, location_id, lot_number, SUM(quantity) AS total
    FROM (
        SELECT item_id, location_id, lot_number, quantity
        FROM inventory_transactions
        UNION ALL
        SELECT item_id, to_location_id, lot_number, -quantity
        FROM inventory_transactions
        WHERE movement = 'transfer'
    ) AS moves
    GROUP BY item_id, location_id, lot_number
) AS m USING (item_id, location_id, lot_number)
WHERE b.quantity_on_hand <> m.total
ORDER BY b.item_id, b.location_id, b.lot_number
