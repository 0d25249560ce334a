-- invariant: no sales order line points to a missing item
-- (the foreign key says so too, unless a load ran with foreign_key_checks=0)
SELECT l.id, l.sales_order_id, l.item_id
FROM sales_order_lines AS l
LEFT JOIN items AS i ON i.id = l.item_id
WHERE i.id IS NULL
ORDER BY l.id
