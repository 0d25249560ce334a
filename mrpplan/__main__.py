from mrpplan.cli.main import main

main()
