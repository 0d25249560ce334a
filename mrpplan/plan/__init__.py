"""Plans: steps from the desired schema, the live database and the providers; the plan file."""
