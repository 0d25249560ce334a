"""The desired schema and where it comes from: the base schema files and the migrations
(`directory`), each migration traced statement by statement (`trace`, cached), the
schema those statements build on the server (`workspace`, cached; the server work is
`mysql/workspace.py`), and where a database stands against the files (`status`,
`applied`). `plan` reads the desired schema from here and never from `migrate`, whose
commands build their plans on top of `plan`.
"""
