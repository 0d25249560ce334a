from mrpplan.cli.main import entry

entry()
