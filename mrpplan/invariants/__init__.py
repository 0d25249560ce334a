"""ERP invariants (issue 25): business rules the data must keep, checked on the live rows.

Each `database/invariants/*.sql` holds one SELECT returning the rows that break a rule,
under a header line `-- invariant: <the rule>`. `mrpplan check ENV` runs them; every
writing apply runs them before its first change and, under the same lock, after its last,
and undoes itself when a rule that held is broken (`apply/invariant_guard.py`).
"""
