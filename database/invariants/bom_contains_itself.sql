-- invariant: no BOM contains its own parent item, at any level
WITH RECURSIVE parts (root_item_id, item_id, depth) AS (
    SELECT h.item_id, l.component_item_id, 1
    FROM bom_headers AS h
    JOIN bom_lines AS l ON l.bom_id = h.id
    UNION ALL
    SELECT p.root_item_id, l.component_item_id, p.depth + 1
    FROM parts AS p
    JOIN bom_headers AS h ON h.item_id = p.item_id
    JOIN bom_lines AS l ON l.bom_id = h.id
    WHERE p.depth < 20 AND p.item_id <> p.root_item_id
)
SELECT DISTINCT root_item_id AS item_id, depth
FROM parts
WHERE item_id = root_item_id
ORDER BY item_id
