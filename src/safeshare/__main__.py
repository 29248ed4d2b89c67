from safeshare.cli import main

main()
