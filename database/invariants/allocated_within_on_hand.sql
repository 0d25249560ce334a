-- invariant: allocated stock never exceeds stock on hand
SELECT id, item_id, location_id, lot_number, quantity_on_hand, quantity_allocated
FROM inventory_balances
WHERE quantity_allocated > quantity_on_hand
ORDER BY id
