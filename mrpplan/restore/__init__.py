"""The backup commands that change a database, as plans: `restore` (a backup loaded into
scratch tables and swapped in) and `backup --cleanup`'s trash purge.

They sit above `apply` (they build plans and run them through the one executor), while
`backup/` (dump, load, verify, manifests, checkpoints) sits below it: `apply` takes
checkpoints with it. Masking a restored copy reuses `sync/mask.py`.
"""
